"""Send every due outbox message to 国家企业信用信息公示系统; run it from cron or a timer.

The background task sends each message as soon as it is published and re-queues
itself for retries; this command is the safety net after a restart or a lost job: it
sends what is due and what a killed worker left half-sent (its lease ran out).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from spotcheck.publicity.services import outbox_attempts_due, outbox_configured
from spotcheck.publicity.tasks import outbox_enqueue


class Command(BaseCommand):
    help = "发送到期的公示系统报送消息（含中断后未完成的）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=500, help="本次最多发送条数")

    def handle(self, *args: Any, **options: Any) -> None:
        if not outbox_configured():
            self.stdout.write("未配置 GSXT_OUTBOX_URL，不发送。")
            return
        counts = {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
        for attempt in outbox_attempts_due(limit=options["limit"]):
            counts[attempt.outcome] += 1
            if attempt.retry_at is not None:  # back to the queue for the end of its back-off
                transaction.on_commit(
                    partial(outbox_enqueue, [attempt.message_id], attempt.retry_at)
                )
        self.stdout.write(
            f"送达 {counts['delivered']}，待重试 {counts['retry']}，"
            f"发送失败 {counts['dead']}，跳过 {counts['skipped']}。"
        )
