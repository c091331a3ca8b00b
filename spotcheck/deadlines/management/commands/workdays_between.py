"""Print the number of working days after A up to and including B."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.core.workdays import YearNotConfirmedError
from spotcheck.deadlines.management.commands._dates import parse_iso_date
from spotcheck.deadlines.selectors import work_calendar


class Command(BaseCommand):
    help = "统计A日之后至B日（含）之间的工作日数；B早于A时为负数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("a", help="开始日期 YYYY-MM-DD（不计入）")
        parser.add_argument("b", help="结束日期 YYYY-MM-DD（计入）")

    def handle(self, *args: Any, a: str, b: str, **options: Any) -> None:
        start = parse_iso_date(a, "开始日期")
        end = parse_iso_date(b, "结束日期")
        try:
            count = work_calendar().working_days_between(start, end)
        except YearNotConfirmedError as exc:
            raise CommandError(f"{exc}：无法可靠计算。", returncode=2) from exc
        self.stdout.write(str(count))
