"""Walk the audit chain from the first entry; exit 1 naming the first broken entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.audit.chain import ChainEntry, first_break
from spotcheck.audit.models import AuditEvent


def _entries() -> Iterator[tuple[int, ChainEntry, str]]:
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        yield event.pk, event.chain_entry(), event.entry_hash


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链：从第 1 条起逐条重算哈希；完整时退出码 0，"
        "否则退出码 1 并指出第一条断开的记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            action="append",
            default=[],
            help="此前记下（或公布）的某条记录的序号与哈希；链中该条必须仍在且哈希相同，"
            "可发现末尾记录被整段删除。可重复。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        broken = first_break(_entries())
        if broken is not None:
            raise CommandError(
                f"审计链在第 {broken.seq} 条（记录编号 {broken.entry_id}）处断开：{broken.reason}",
                returncode=1,
            )
        for anchor in options["anchor"]:
            seq_text, _, expected = anchor.partition(":")
            if not seq_text.isdigit() or len(expected) != 64:
                raise CommandError(f"锚点格式应为 序号:64位哈希，收到 {anchor!r}", returncode=2)
            stored = (
                AuditEvent.objects.filter(seq=int(seq_text))
                .values_list("entry_hash", flat=True)
                .first()
            )
            if stored != expected.lower():
                raise CommandError(
                    f"审计链与锚点不符：第 {seq_text} 条"
                    + ("不存在（末尾记录被删除）" if stored is None else "的哈希不同"),
                    returncode=1,
                )
        tail = AuditEvent.objects.order_by("-seq").first()
        if tail is None:
            self.stdout.write("审计链为空。")
            return
        self.stdout.write(
            f"审计链完整：共 {tail.seq} 条；"
            f"末条 {tail.seq}:{tail.entry_hash}（{tail.hash_algorithm}）"
        )
