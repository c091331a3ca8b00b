"""The filters of the statistics pages, limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Region, User
from spotcheck.campaigns.models import AnnualPlan
from spotcheck.common.forms import BootstrapFormMixin
from spotcheck.stats.selectors import stats_departments_for_user, stats_tasks_for_user


class StatsFilterForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    task = forms.ModelChoiceField(
        label=_("抽查任务"), queryset=None, required=False, empty_label=_("全部任务")
    )
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=None, required=False, empty_label=_("全部部门")
    )
    region = forms.ModelChoiceField(
        label=_("区域"),
        queryset=Region.objects.order_by("code"),
        required=False,
        empty_label=_("全部区域"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = sorted(set(AnnualPlan.objects.values_list("year", flat=True)), reverse=True)
        self.fields["year"].choices = [("", _("全部年度"))] + [  # type: ignore[attr-defined]
            (y, f"{y}年") for y in years
        ]
        self.fields["task"].queryset = stats_tasks_for_user(user)  # type: ignore[attr-defined]
        departments = stats_departments_for_user(user)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
