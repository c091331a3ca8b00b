"""Show durations the way a Chinese reader expects them ("30 分钟", not "0:30:00")."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """30 minutes → "30 分钟", 90 minutes → "1 小时 30 分钟", 2 days → "2 天"."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = round(value.total_seconds() / 60)
    if minutes < 1:
        return "不到 1 分钟"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "天"), (hours, "小时"), (minutes, "分钟")) if n]
    return " ".join(parts)
