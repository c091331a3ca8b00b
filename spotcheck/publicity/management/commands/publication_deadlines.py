"""Open the 20-working-day publication limit of every checked joint record; run daily.

Run it before ``deadlines_remind``, which then warns and marks the overdue ones.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from spotcheck.publicity.services import publication_deadlines_sweep


class Command(BaseCommand):
    help = "为检查已完成的联合检查记录表开始“20个工作日内公示”时限"

    def handle(self, *args: Any, **options: Any) -> None:
        opened = publication_deadlines_sweep(today=timezone.localdate())
        self.stdout.write(f"新开始公示时限 {opened} 项。")
