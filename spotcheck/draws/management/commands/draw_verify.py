"""Re-run a task's stored draw from its frozen inputs and compare with the stored result."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.draws.management.commands.draw_bundle import _attempt, _task
from spotcheck.draws.outcomes import draw_verify_stored


class Command(BaseCommand):
    help = "用冻结的名录、人员库和公布的秘密值重新运行任务的抽取，并与保存的结果逐字节比对"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", help="任务编号或任务ID")
        parser.add_argument(
            "--attempt",
            dest="number",
            type=int,
            help="第几次抽取（默认为当前有效的一次；可复核已作废的一次）",
        )

    def handle(self, *args: Any, task: str, number: int | None, **options: Any) -> None:
        attempt = _attempt(_task(task), number)
        differing = draw_verify_stored(attempt)
        if differing:
            raise CommandError(f"复核不一致：{'、'.join(differing)}与重新计算的结果不同")
        self.stdout.write(f"复核一致：第{attempt.number}次抽取，种子 {attempt.seed}")
