"""Escalate overdue follow-up cases to the lead office and the parent departments."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from spotcheck.deadlines.management.commands._dates import parse_iso_date
from spotcheck.deadlines.services import deadlines_remind
from spotcheck.followup.services import cases_escalate


class Command(BaseCommand):
    help = "超期后续处置事项督办：先运行时限提醒，再通知任务牵头部门和上级部门（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="按指定日期运行（YYYY-MM-DD，默认今天）")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="常驻运行，每隔若干秒执行一次",
        )

    def handle(self, *args: Any, today: str | None, every: int, **options: Any) -> None:
        while True:
            day = parse_iso_date(today, "日期") if today else timezone.localdate()
            deadlines_remind(today=day)
            sent = cases_escalate(today=day)
            self.stdout.write(f"{day.isoformat()}：发出后续处置超期督办通知 {sent} 条")
            if every <= 0:
                return
            time.sleep(every)
