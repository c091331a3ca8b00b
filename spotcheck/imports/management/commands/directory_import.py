"""Import a directory file (CSV or XLSX) from the command line."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandParser

from spotcheck.accounts.models import Department
from spotcheck.imports.choices import ImportKind
from spotcheck.imports.engine import ImportOptions
from spotcheck.imports.services import directory_import

_BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "导入检查对象或执法检查人员名录（.xlsx 或 .csv）。"
        "退出码：0 全部导入（或试运行全部可导入），1 有行被拒绝，2 文件无法读取"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values, help="entities 或 inspectors")
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument(
            "--valid-only", action="store_true", help="只导入正确的行，其余行列入错误报告"
        )
        parser.add_argument(
            "--errors", metavar="OUT.csv", help="把有误的行写入该 CSV（UTF-8 带 BOM）"
        )
        parser.add_argument(
            "--encoding", default="", help="CSV 编码，如 utf-8、gb18030、gbk（默认自动识别）"
        )
        parser.add_argument(
            "--department",
            metavar="NAME",
            help="只导入该部门及下级部门的记录；部门列留空的行归入该部门",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self._fail(f"找不到文件：{path}")
        department = None
        if options["department"]:
            department = Department.objects.filter(name=options["department"].strip()).first()
            if department is None:
                self._fail(f"平台中没有名为“{options['department']}”的部门")
        show_progress = not options["no_progress"]
        with ExitStack() as stack:
            stream = stack.enter_context(path.open("rb"))
            errors: IO[bytes] | None = None
            if options["errors"]:
                errors = stack.enter_context(Path(options["errors"]).open("wb"))
            report = directory_import(
                actor=None,
                stream=stream,
                name=path.name,
                options=ImportOptions(
                    kind=options["kind"],
                    valid_only=options["valid_only"],
                    dry_run=options["dry_run"],
                    encoding=options["encoding"],
                ),
                department=department,
                progress=_ProgressBar(self.stderr) if show_progress else None,
                errors_out=errors,
            )
        if show_progress:
            self.stderr.write("")
        if report.description:
            self.stdout.write(f"文件：{path.name}（{report.description}）")
        self.stdout.write(report.summary())
        for message in report.messages:
            self.stdout.write(message)
        if options["errors"] and (report.rejected or report.warnings or report.fatal):
            self.stdout.write(f"错误报告已写入：{options['errors']}")
        if report.exit_code:
            sys.exit(report.exit_code)

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)


class _ProgressBar:
    """A text progress bar on stderr, redrawn at most five times a second."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.last = 0.0

    def __call__(self, done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        final = phase.startswith("正在核对")
        if not final and now - self.last < 0.2:
            return
        self.last = now
        share = min(done / total, 1.0) if total else 0.0
        filled = int(share * _BAR_WIDTH)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        self.out.write(f"\r[{bar}] {share:4.0%} {done} 行 {phase}", ending="")
        self.out.flush()
