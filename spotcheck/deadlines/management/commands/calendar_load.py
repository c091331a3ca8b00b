"""Fill the calendar table from the reviewed holiday data files (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from spotcheck.deadlines.services import calendar_load_bundled


class Command(BaseCommand):
    help = "从仓库中已审核的节假日数据文件载入工作日日历（已存在的年度不变）"

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = calendar_load_bundled(actor=None)
        if loaded:
            self.stdout.write(f"已载入 {'、'.join(str(y) for y in loaded)} 年的节假日安排。")
        else:
            self.stdout.write("节假日安排均已存在，无需载入。")
