"""Issue an API token for a user (a system account); the key is printed this once only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue


class Command(BaseCommand):
    help = "为用户（对接系统账号）签发接口令牌；密钥只显示这一次，平台只保存其哈希。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="令牌所属用户的登录名")
        parser.add_argument("--name", required=True, help="用途，如：省名录库同步")
        parser.add_argument("--key-only", action="store_true", help="只输出密钥（供脚本读取）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有登录名为 {options['username']} 的用户")
        try:
            token, key = api_token_issue(actor=None, user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if options["key_only"]:
            self.stdout.write(key)
            return
        self.stdout.write(f"已为 {user}（{user.get_role_display()}）签发令牌 {token}。")
        self.stdout.write(f"密钥（只显示这一次）：{key}")
        self.stdout.write(f"调用时加请求头：Authorization: Token {key}")
