"""Re-run a task's stored draw from its frozen inputs and compare with the stored result."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.draws.management.commands.draw_bundle import _task
from spotcheck.draws.selectors import drawn_attempt
from spotcheck.draws.services import draw_verify_stored


class Command(BaseCommand):
    help = "用冻结的名录、人员库和公布的秘密值重新运行任务的抽取，并与保存的结果逐字节比对"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", help="任务编号或任务ID")

    def handle(self, *args: Any, task: str, **options: Any) -> None:
        found = _task(task)
        attempt = drawn_attempt(found)
        if attempt is None:
            raise CommandError(f"任务“{found.number}”尚未完成抽取")
        differing = draw_verify_stored(attempt)
        if differing:
            raise CommandError(f"复核不一致：{'、'.join(differing)}与重新计算的结果不同")
        self.stdout.write(f"复核一致：第{attempt.number}次抽取，种子 {attempt.seed}")
