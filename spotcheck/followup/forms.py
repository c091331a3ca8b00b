"""One form per case action; every form carries the version the official saw."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.common.confirm import confirmation_field
from spotcheck.common.forms import BootstrapFormMixin, DateInput
from spotcheck.core import followup as rules
from spotcheck.followup.choices import Measure
from spotcheck.followup.evidence import MAX_FILES_PER_STEP


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Zero or more files; their content is checked by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("证据材料"))
        kwargs.setdefault(
            "help_text",
            _("PDF、JPEG 或 PNG，每个不超过 10 MB，最多 %(n)d 个") % {"n": MAX_FILES_PER_STEP},
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class _CaseForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MeasureForm(_CaseForm):
    measure = forms.ChoiceField(label=_("处置措施"), choices=Measure.choices)
    note = forms.CharField(
        label=_("措施说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：责令7日内改正；立案文号"),
    )
    files = EvidenceField()


class TransferForm(_CaseForm):
    to_department = forms.ModelChoiceField(
        label=_("移交至"), queryset=Department.objects.none(), empty_label=_("请选择部门")
    )
    reason = forms.CharField(
        label=_("移交理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("说明为何由该部门管辖"),
    )
    files = EvidenceField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["to_department"].queryset = queryset  # type: ignore[attr-defined]


class AcceptForm(_CaseForm):
    note = forms.CharField(label=_("接收说明"), required=False, max_length=2000)


class ReturnForm(_CaseForm):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("至少%(n)d个字，如：不属于本部门管辖") % {"n": rules.REASON_MIN_LENGTH},
    )


class CloseForm(_CaseForm):
    result = forms.CharField(
        label=_("处置结果"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("立案查处、列入经营异常名录的，办理情况将在该企业的公示信息中公开"),
    )
    closed_on = forms.DateField(label=_("处置日期"), widget=DateInput())
    files = EvidenceField()
    confirmed = confirmation_field(
        _(
            "我已核对：办结后本事项不再记录处置措施或移交，办理时限完成；"
            "立案查处、列入经营异常名录的，办理情况将在该企业的公示信息中公开"
        ),
        _("请勾选确认后再办结：办结后结果即公开，只能写明理由重新办理"),
    )


class ReopenForm(_CaseForm):
    reason = forms.CharField(
        label=_("重新办理理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：处罚决定被行政复议撤销"),
    )


FORMS: dict[str, type[_CaseForm]] = {
    rules.MEASURE: MeasureForm,
    rules.TRANSFER: TransferForm,
    rules.ACCEPT: AcceptForm,
    rules.RETURN: ReturnForm,
    rules.CLOSE: CloseForm,
    rules.REOPEN: ReopenForm,
}


class CaseFilterForm(BootstrapFormMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            ("incoming", _("待本部门接收")),
            ("open", _("处置中")),
            ("transferring", _("移交待接收")),
            ("overdue", _("已超期")),
            ("closed", _("已办结")),
        ],
    )
    q = forms.CharField(label=_("检查对象"), required=False, max_length=100)
