from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.common.forms import BootstrapFormMixin
from spotcheck.deadlines.choices import DayKind, DeadlineState


class CalendarDayForm(BootstrapFormMixin, forms.Form):
    """Set one day of the calendar."""

    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("按周一至周五规则"))] + list(DayKind.choices),
    )
    name = forms.CharField(label=_("节日名称"), required=False, max_length=30)


class CalendarConfirmForm(BootstrapFormMixin, forms.Form):
    source_notice = forms.CharField(
        label=_("依据通知文号"),
        max_length=200,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"),
    )


class CalendarYearOpenForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)


class DeadlineFilterForm(BootstrapFormMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(DeadlineState.choices)
    )
