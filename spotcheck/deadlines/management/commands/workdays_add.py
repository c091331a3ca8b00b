"""Print the n-th working day after a date (the start date itself never counts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.core.workdays import YearNotConfirmedError
from spotcheck.deadlines.management.commands._dates import parse_iso_date
from spotcheck.deadlines.selectors import work_calendar


class Command(BaseCommand):
    help = "计算起算日之后第N个工作日（起算日当天不计），输出 ISO 日期"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("date", help="起算日期 YYYY-MM-DD")
        parser.add_argument("n", type=int, help="工作日数（至少为1）")

    def handle(self, *args: Any, date: str, n: int, **options: Any) -> None:
        start = parse_iso_date(date, "起算日期")
        if n < 1:
            raise CommandError(f"工作日数必须至少为1，当前为{n}", returncode=2)
        try:
            result = work_calendar().add_working_days(start, n)
        except YearNotConfirmedError as exc:
            raise CommandError(
                f"{exc}：无法可靠计算。请平台管理员录入并确认该年度安排"
                "（或运行 manage.py calendar_load 载入已审核的数据）。",
                returncode=2,
            ) from exc
        self.stdout.write(result.isoformat())
