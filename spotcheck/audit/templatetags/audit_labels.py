"""Show the audit trail's event and object types by their Chinese names."""

from __future__ import annotations

from django import template

from spotcheck.audit import labels

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    """``draw.committed`` → 作出承诺."""
    return labels.event_label(event_type)


@register.filter
def target_type_label(target_type: str) -> str:
    """``campaigns.task`` → 联合抽查任务."""
    return labels.target_type_label(target_type)
