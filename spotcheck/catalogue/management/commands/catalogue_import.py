"""Import an item catalogue file (.xlsx or .csv): every row or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.accounts.models import User
from spotcheck.catalogue.exchange import CatalogueFileError
from spotcheck.catalogue.services import catalogue_import


class Command(BaseCommand):
    help = (
        "导入抽查事项清单（.xlsx 或 .csv，UTF-8/GB18030 自动识别）；"
        "按“抽查主体＋事项编码”新增或更新，有任何一行有误则不导入"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="导入文件")
        parser.add_argument("--user", help="以该用户的权限导入（默认：系统，全部部门）")
        parser.add_argument("--encoding", default="", help="CSV 编码（默认自动识别）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有用户“{options['user']}”")
        with path.open("rb") as stream:
            try:
                result = catalogue_import(
                    actor=actor,
                    stream=stream,
                    name=path.name,
                    encoding=options["encoding"],
                    dry_run=options["dry_run"],
                )
            except CatalogueFileError as exc:
                raise CommandError("文件有误，未导入任何事项：\n" + "\n".join(exc.errors)) from None
        prefix = "试运行（未写入）" if result.dry_run else "已导入"
        self.stdout.write(
            f"{prefix}：新增 {result.created} 项，更新 {result.updated} 项，"
            f"未变化 {result.unchanged} 项"
        )
        for warning in result.warnings:
            self.stdout.write(f"请核对：{warning}")
