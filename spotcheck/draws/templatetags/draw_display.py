"""Show a draw's announcement to citizens: ratios in per cent, classes and officials by name.

The announcement stores ratios as decimal fractions ("0.03") and the officials by their
login names, because that is what is hashed; the public page shows neither as stored.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(fraction: Any) -> str:
    """ "0.03" → "3%", "0.125" → "12.5%", "0" → "0%"; anything else is shown as given."""
    try:
        value = Decimal(str(fraction)) * 100
    except InvalidOperation:
        return str(fraction)
    return f"{value.normalize():f}%" if value else "0%"


@register.filter
def stratum(code: str) -> str:
    """A credit-risk class of the draw: "A" → "A类", "U" (unclassified) → "未分类"."""
    return "未分类" if code == "U" else f"{code}类"


@register.filter
def official(user: Any) -> str:
    """An official as the public sees them: name and department, never the login name."""
    if user is None:
        return ""
    name = user.display_name or "未填写姓名的官员"
    department = user.department
    return f"{name}（{department.name}）" if department is not None else name
