"""Remove two-step authenticators: one user's (lost phone) or everyone's (leaked database)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spotcheck.accounts.models import User
from spotcheck.twofactor.services import totp_reset


class Command(BaseCommand):
    help = "移除两步验证设备：某一用户的（手机丢失），或 --all 全部（数据库泄露后）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="用户登录名")
        parser.add_argument("--all", action="store_true", help="移除所有用户的设备")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] == bool(options["username"]):
            raise CommandError("请指定一个登录名，或使用 --all")
        if options["all"]:
            users = list(User.objects.filter(totp_device__isnull=False))
        else:
            users = list(User.objects.filter(username=options["username"]))
            if not users:
                raise CommandError(f"没有登录名为 {options['username']} 的用户")
        removed = [u for u in users if totp_reset(actor=None, user=u)]
        self.stdout.write(f"已移除 {len(removed)} 个两步验证设备。")
