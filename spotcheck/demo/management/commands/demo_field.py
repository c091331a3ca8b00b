"""Load the opt-in field-work demo: a practice task with records for the demo inspectors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from spotcheck.demo.field import FIELD_LOGINS, FieldDemoError, load_field_demo


class Command(BaseCommand):
    help = "载入现场检查演练：为演示检查人员生成一个检查组和几份“一企一表”（需先载入演示场景）"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            records = load_field_demo(today=timezone.localdate())
        except FieldDemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {len(records)} 份记录表，检查组成员：{'、'.join(FIELD_LOGINS)}。"
                "以任一检查人员账号登录后打开 /field/ 即可开始现场检查。"
            )
        )
