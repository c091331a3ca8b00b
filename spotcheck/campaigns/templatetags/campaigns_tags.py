from __future__ import annotations

from django import template

from spotcheck.core.taskflow import STATE_LABELS

register = template.Library()


@register.filter
def task_state_label(value: str) -> str:
    """Show a stored task state (e.g. "published") in Chinese (已发布)."""
    return STATE_LABELS.get(value, value)
