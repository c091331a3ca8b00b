"""Print the demo scenario's logins (make run shows them on every start)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from spotcheck.accounts.models import User
from spotcheck.demo.management.commands.demo_load import demo_logins_text
from spotcheck.demo.scenario import DEMO_LOGINS


class Command(BaseCommand):
    help = "显示演示场景的登录账号"

    def handle(self, *args: Any, **options: Any) -> None:
        names = [login.username for login in DEMO_LOGINS]
        if User.objects.filter(username__in=names).count() != len(names):
            self.stdout.write("本数据库未载入演示场景，没有演示账号。")
            return
        self.stdout.write(demo_logins_text())
