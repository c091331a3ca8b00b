from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.common.forms import BootstrapFormMixin


class PublicFilterForm(BootstrapFormMixin, forms.Form):
    """Filters of the public notices: department and year."""

    department = forms.TypedChoiceField(
        label=_("部门"), required=False, coerce=int, empty_value=None
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaves = Department.objects.filter(is_active=True, children__isnull=True).order_by("path")
        self.fields["department"].choices = [("", _("全部部门"))] + [
            (str(d.pk), d.name) for d in leaves
        ]
        self.fields["year"].choices = [("", _("全部年度"))] + [(str(y), f"{y}年") for y in years]

    def values(self) -> dict[str, int | None]:
        """Return the filters; a value that does not validate matches nothing (never all)."""
        if not self.is_bound:
            return {"department": None, "year": None}
        self.is_valid()
        return {
            name: -1 if name in self.errors else self.cleaned_data.get(name)
            for name in ("department", "year")
        }
