"""Export the public DRAW-v1 bundle of a task's draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.campaigns.models import Task
from spotcheck.draws.selectors import drawn_attempt
from spotcheck.draws.services import draw_bundle_files


class Command(BaseCommand):
    help = "导出任务抽取结果的公开数据包（可用 tools/verify_draw.py 独立复核）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", help="任务编号（如 晋州市政府办抽查〔2026〕10号）或任务ID")
        parser.add_argument("out_dir", help="输出目录")

    def handle(self, *args: Any, task: str, out_dir: str, **options: Any) -> None:
        found = _task(task)
        attempt = drawn_attempt(found)
        if attempt is None:
            raise CommandError(f"任务“{found.number}”尚未完成抽取")
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
