"""``flush`` that may also empty the append-only audit table, outside production only.

Django's own ``flush`` (used by the test runner between transactional tests) deletes every
row of every table, which the audit triggers refuse.  Outside production this command
lifts the triggers for the length of the flush and puts them back; in production it
refuses, so evidence cannot be wiped by a routine command.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections

from spotcheck.audit import triggers


class Command(flush.Command):
    help = flush.Command.help + " 审计日志表的只追加触发器在清空期间暂时解除（生产模式下拒绝）。"

    def handle(self, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产模式下不允许清空数据库：审计日志只能追加。")
        connection = connections[options["database"]]
        if triggers.TABLE not in connection.introspection.table_names():
            super().handle(**options)
            return
        with triggers.lifted(connection):
            super().handle(**options)
