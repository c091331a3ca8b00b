from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.catalogue.models import ResultCode
from spotcheck.common.forms import BootstrapFormMixin


class PublicFilterForm(BootstrapFormMixin, forms.Form):
    """Filters of the public notices: department and year."""

    department = forms.TypedChoiceField(
        label=_("部门"), required=False, coerce=int, empty_value=None
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: Any,
        years: list[int],
        departments: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if departments is None:
            leaves = Department.objects.filter(is_active=True, children__isnull=True)
            departments = [(str(d.pk), d.name) for d in leaves.order_by("path")]
        self.fields["department"].choices = [("", _("全部部门")), *departments]
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


class ResultFilterForm(PublicFilterForm):
    """Filters of the 抽查结果公告: department, year and result."""

    result = forms.ChoiceField(label=_("检查结果"), required=False)

    def __init__(
        self, *args: Any, years: list[int], results: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, years=years, **kw)
        self.fields["result"].choices = [("", _("全部结果"))] + results

    def values(self) -> dict[str, Any]:  # type: ignore[override]
        values: dict[str, Any] = dict(super().values())
        if not self.is_bound:
            values["result"] = None
        else:
            values["result"] = "-" if "result" in self.errors else self.cleaned_data.get("result")
        return values


class LookupForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("企业名称或统一社会信用代码"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "search", "autocomplete": "off"}),
    )


class CorrectionForm(BootstrapFormMixin, forms.Form):
    """更正: new results per item and remarks, and the reason, which is required."""

    reason = forms.CharField(
        label=_("更正理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("必填，将随更正后的结果一并公示"),
    )
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, items: list[dict[str, Any]], remarks: str, **kw: Any):
        super().__init__(*args, **kw)
        choices = [(c.code, f"{c.code} {c.label}") for c in ResultCode.objects.all()]
        self.item_fields = []
        for item in items:
            name = f"item_{item['id']}"
            self.fields[name] = forms.MultipleChoiceField(
                label=f"{item['name']}（{item['code']}）",
                choices=choices,
                initial=item["codes"],
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
            self.fields[name].widget.attrs["class"] = "form-select"
            self.item_fields.append(name)
        self.fields["remarks"].initial = remarks

    def item_codes(self) -> dict[int, list[str]]:
        return {int(n.removeprefix("item_")): self.cleaned_data[n] for n in self.item_fields}
