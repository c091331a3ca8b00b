"""Load the 晋州市 demo scenario into an empty database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from spotcheck.access.roles import Role
from spotcheck.demo.scenario import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoAlreadyLoaded,
    database_is_empty,
    load_demo,
)


class Command(BaseCommand):
    help = "载入晋州市2026年联合抽查演示场景（仅限空数据库，不能重复载入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="数据库非空时跳过并正常退出（供 make run 使用）",
        )

    def handle(self, *args: Any, skip_if_loaded: bool = False, **options: Any) -> None:
        if skip_if_loaded and not database_is_empty():
            self.stdout.write("数据库已有数据，跳过演示场景载入。")
            return
        try:
            counts = load_demo(today=timezone.localdate())
        except DemoAlreadyLoaded as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入演示场景：{counts['departments']} 个部门，{counts['entities']} 户检查对象，"
                f"{counts['inspectors']} 名执法检查人员，{counts['users']} 个演示账号。"
            )
        )
        self.stdout.write(demo_logins_text())


def demo_logins_text() -> str:
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for login in DEMO_LOGINS:
        role = str(Role(login.role).label)
        lines.append(f"  {login.username:<14} {role}\t{login.department or '（全平台）'}")
    return "\n".join(lines)
