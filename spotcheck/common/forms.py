"""Form helpers shared by every context."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """A browser date picker; its value is written as 2026-12-08, the only form it accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-and-time picker (2026-12-08T09:30), in the platform's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATETIME_LOCAL)


class BootstrapFormMixin:
    """Give every widget its Bootstrap class, and mark fields that failed validation."""

    fields: dict[str, forms.Field]
    # A refusal of the whole form (a wrong password) concerns these fields: they are marked
    # invalid and described by the element with this id (the template's role=alert message).
    non_field_error_fields: tuple[str, ...] = ()
    non_field_error_id: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.mark_invalid()

    def mark_invalid(self) -> None:
        """Mark every field that has an error, also one a service added after cleaning."""
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                # templates/includes/field.html gives the error text this id
                self.mark_field_invalid(name, f"{self[name].auto_id}-error")  # type: ignore[index]
        if self.non_field_error_id and self.non_field_errors():  # type: ignore[attr-defined]
            for name in self.non_field_error_fields:
                self.mark_field_invalid(name, self.non_field_error_id)

    def mark_field_invalid(self, name: str, error_id: str) -> None:
        """Mark one field invalid and tie it to the element (id ``error_id``) that says why."""
        widget = self.fields[name].widget
        css = widget.attrs.get("class", "")
        if "is-invalid" not in css.split():
            widget.attrs["class"] = f"{css} is-invalid".strip()
        widget.attrs["aria-invalid"] = "true"
        described = widget.attrs.get("aria-describedby", "").split()
        if error_id not in described:
            widget.attrs["aria-describedby"] = " ".join([*described, error_id])


def add_service_errors(
    form: forms.BaseForm,
    exc: ValidationError | PermissionDenied,
    *,
    renamed: dict[str, str] | None = None,
) -> None:
    """Show a service's refusal on the form: field errors next to their field, the rest on top.

    ``renamed`` maps a service's field name to the form field that edits it
    (``sub_items`` → ``sub_items_text``).
    """
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = (renamed or {}).get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc.args[0]) if exc.args else "无权执行此操作")
    if isinstance(form, BootstrapFormMixin):
        form.mark_invalid()
