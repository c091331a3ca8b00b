"""Export the public DRAW-v1 bundle of a task's draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.campaigns.models import Task
from spotcheck.draws.models import DrawAttempt
from spotcheck.draws.outcomes import draw_bundle_files
from spotcheck.draws.selectors import drawn_attempt


class Command(BaseCommand):
    help = "导出任务抽取结果的公开数据包（可用 tools/verify_draw.py 独立复核）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", help="任务编号（如 晋州市政府办抽查〔2026〕10号）或任务ID")
        parser.add_argument("out_dir", help="输出目录")
        parser.add_argument(
            "--attempt",
            dest="number",
            type=int,
            help="第几次抽取（默认为当前有效的一次；可导出已作废的一次）",
        )

    def handle(
        self, *args: Any, task: str, out_dir: str, number: int | None, **options: Any
    ) -> None:
        found = _task(task)
        attempt = _attempt(found, number)
        try:
            files = draw_bundle_files(attempt)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (target / name).write_bytes(data)
        self.stdout.write(f"已导出 {len(files)} 个文件到 {target}（第{attempt.number}次抽取）")


def _task(value: str) -> Task:
    task = Task.objects.filter(number=value).first()
    if task is None and value.isdigit():
        task = Task.objects.filter(pk=int(value)).first()
    if task is None:
        raise CommandError(f"没有编号或ID为“{value}”的任务")
    return task


def _attempt(task: Task, number: int | None) -> DrawAttempt:
    """The task's current drawn attempt, or the numbered one (a superseded one included)."""
    if number is None:
        attempt = drawn_attempt(task)
        if attempt is None:
            raise CommandError(f"任务“{task.number}”尚未完成抽取")
        return attempt
    found = task.draw_attempts.filter(number=number).first()
    if found is None or not found.has_result:
        raise CommandError(f"任务“{task.number}”没有已完成的第{number}次抽取")
    return found
