"""Export a directory, filtered, to .csv or .xlsx (streaming, chosen by the file extension)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from spotcheck.access.roles import Role
from spotcheck.accounts.models import Department, User
from spotcheck.directory import exports
from spotcheck.directory.selectors import (
    EntityFilter,
    InspectorFilter,
    entity_list_for_user,
    inspector_list_for_user,
)
from spotcheck.directory.services import directory_export_record

_ENTITY_KEYS = (
    "q",
    "entity_type",
    "tag",
    "risk_class",
    "department",
    "reg_status",
    "region",
    "flag",
)
_INSPECTOR_KEYS = ("q", "department", "status", "category", "speciality", "drawable", "expert")


class Command(BaseCommand):
    help = "导出检查对象或执法检查人员名录，按扩展名写 .csv（UTF-8 带 BOM）或 .xlsx"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=("entities", "inspectors"))
        parser.add_argument("out", help="输出文件，扩展名 .csv 或 .xlsx")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=(
                "筛选条件，可重复。检查对象："
                + "、".join(_ENTITY_KEYS)
                + "；执法检查人员："
                + "、".join(_INSPECTOR_KEYS)
                + "。department 填部门全称"
            ),
        )
        parser.add_argument("--user", help="按该用户的查看权限导出（默认：全部记录）")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            self._fail("输出文件的扩展名须为 .csv 或 .xlsx")
        kind = options["kind"]
        user = self._user(options["user"])
        filters = self._filters(kind, options["filter"])
        if kind == "entities":
            qs = entity_list_for_user(user, EntityFilter(**filters))
            rows = exports.entity_export_queryset(qs)
            columns, title = exports.ENTITY_COLUMNS, "检查对象名录"
        else:
            qs = inspector_list_for_user(
                user, InspectorFilter(**filters), today=timezone.localdate()
            )
            rows = exports.inspector_export_queryset(qs)
            columns, title = exports.INSPECTOR_COLUMNS, "执法检查人员名录"
        count = qs.count()
        try:
            if fmt == "csv":
                with out.open("wb") as handle:
                    for chunk in exports.csv_stream(rows, columns):
                        handle.write(chunk)
            else:
                exports.xlsx_write(rows, columns, title, str(out))
        except OSError as exc:
            self._fail(f"无法写入 {out}：{exc.strerror}")
        directory_export_record(
            actor=user,
            kind=kind,
            fmt=fmt,
            count=count,
            query="&".join(options["filter"]),
        )
        self.stdout.write(f"已导出 {count} 条到 {out}")

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                self._fail(f"没有用户名为“{username}”的有效用户")
            return user  # type: ignore[return-value]
        # the operator on the server reads everything, like a platform administrator
        return User(username="system", display_name="系统（命令行）", role=Role.PLATFORM_ADMIN)

    def _filters(self, kind: str, raw: list[str]) -> dict[str, Any]:
        allowed = _ENTITY_KEYS if kind == "entities" else _INSPECTOR_KEYS
        filters: dict[str, Any] = {}
        for item in raw:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or key not in allowed:
                self._fail(f"无效的筛选条件“{item}”，可用：{'、'.join(allowed)}")
            if key == "department":
                department = Department.objects.filter(name=value.strip()).first()
                if department is None:
                    self._fail(f"平台中没有名为“{value}”的部门")
                filters[key] = department.pk  # type: ignore[union-attr]
            else:
                filters[key] = value.strip()
        return filters

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)
