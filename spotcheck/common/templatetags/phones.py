"""``masked_phone``: a stored (full) phone number as lists, exports and the public see it."""

from __future__ import annotations

from django import template

from spotcheck.core.masking import mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str | None) -> str:
    """138****1234; an empty value stays empty."""
    return mask_phone(value) if value else ""
