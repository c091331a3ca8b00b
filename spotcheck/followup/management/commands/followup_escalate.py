"""Escalate overdue follow-up cases to the lead office and the parent departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from spotcheck.deadlines.services import deadlines_remind
from spotcheck.followup.services import cases_escalate


class Command(BaseCommand):
    help = "超期后续处置事项督办：先运行时限提醒，再通知牵头部门和上级部门（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        deadlines_remind(today=today)
        sent = cases_escalate(today=today)
        self.stdout.write(f"{today:%Y-%m-%d}：发出超期督办通知 {sent} 条")
