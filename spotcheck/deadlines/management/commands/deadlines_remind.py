"""Send deadline reminders and escalations; run it from cron or a systemd timer."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from spotcheck.deadlines.management.commands._dates import parse_iso_date
from spotcheck.deadlines.services import deadlines_remind

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "发送到期前一个工作日提醒、超期通知并向部门管理员和牵头单位督办（重复运行不重复发送）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="按指定日期运行（YYYY-MM-DD，默认今天）")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="常驻运行，每隔若干秒执行一次（make run 使用）",
        )

    def handle(self, *args: Any, today: str | None, every: int, **options: Any) -> None:
        while True:
            day = parse_iso_date(today, "日期") if today else timezone.localdate()
            run = deadlines_remind(today=day)
            self.stdout.write(
                f"{day.isoformat()}：即将到期提醒 {run.due_soon} 条，超期通知 {run.missed} 条，"
                f"督办 {run.escalated} 条，新标记超期 {len(run.marked_overdue)} 项。"
            )
            if every <= 0:
                return
            time.sleep(every)
