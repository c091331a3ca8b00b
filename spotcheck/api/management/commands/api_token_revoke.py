"""Revoke API tokens by their key prefix (shown in the admin and when issued)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.api.models import ApiToken
from spotcheck.api.services import api_token_revoke


class Command(BaseCommand):
    help = "按密钥前缀吊销接口令牌，立即生效。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="密钥的前 8 个字符")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = list(ApiToken.objects.filter(key_prefix=options["prefix"], revoked_at=None))
        if not tokens:
            raise CommandError(f"没有前缀为 {options['prefix']} 的有效令牌")
        for token in tokens:
            api_token_revoke(actor=None, token=token)
            self.stdout.write(f"已吊销 {token}")
