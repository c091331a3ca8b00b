"""Export the item catalogue to .xlsx or .csv (chosen by the file extension)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.accounts.models import Department
from spotcheck.catalogue.exchange import catalogue_csv, catalogue_xlsx
from spotcheck.catalogue.selectors import ItemFilter, item_list


class Command(BaseCommand):
    help = "导出抽查事项清单（含检查内容、结果选项），按扩展名写 .xlsx 或 .csv（UTF-8 带 BOM）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="输出文件，扩展名 .xlsx 或 .csv")
        parser.add_argument("--department", help="只导出该部门（全称）的事项；默认全部")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError("输出文件的扩展名须为 .xlsx 或 .csv")
        department = None
        if options["department"]:
            department = Department.objects.filter(name=options["department"]).first()
            if department is None:
                raise CommandError(f"没有名为“{options['department']}”的部门")
        items = item_list(
            ItemFilter(active="all", department=department.pk if department else None)
        )
        if fmt == "xlsx":
            out.write_bytes(catalogue_xlsx(items))
        else:
            with out.open("wb") as target:
                for chunk in catalogue_csv(items):
                    target.write(chunk)
        self.stdout.write(f"已导出 {items.count()} 个抽查事项到 {out}")
