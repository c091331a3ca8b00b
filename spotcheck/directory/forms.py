"""Forms of the directory pages: filters, entity and inspector editing, 回避."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.selectors import department_choices_for_writing, department_list_for_user
from spotcheck.common.forms import BootstrapFormMixin, DateInput
from spotcheck.core.masking import resident_id_error
from spotcheck.directory.choices import (
    AvoidanceReason,
    EntityType,
    IdType,
    InspectorCategory,
    InspectorStatus,
    RegStatus,
    RiskClass,
)
from spotcheck.directory.models import Entity, Inspector, Speciality, Tag
from spotcheck.directory.selectors import EntityFilter, InspectorFilter

_ANY = [("", _("全部"))]


def _department_choices(user: User) -> list[tuple[str, str]]:
    return _ANY + [(str(d.pk), d.name) for d in department_list_for_user(user)]


def _valid_filter_values(form: forms.Form) -> dict[str, Any]:
    """Return the filters that validated; an invalid one must never widen the list.

    A value that does not validate (a region code that does not exist, say) marks the
    filter invalid, and the selectors then return nothing rather than ignore it.
    """
    if not form.is_bound:
        return {}
    form.is_valid()
    values = {
        k: v for k, v in form.cleaned_data.items() if v not in ("", None) and k not in form.errors
    }
    if any(name in form.fields for name in form.errors):
        values["invalid"] = True
    return values


class EntityFilterForm(BootstrapFormMixin, forms.Form):
    """GET filters of the object directory."""

    q = forms.CharField(label=_("名称或代码"), required=False, max_length=100)
    entity_type = forms.ChoiceField(label=_("主体类型"), required=False)
    tag = forms.ChoiceField(label=_("分类标签"), required=False)
    risk_class = forms.ChoiceField(label=_("信用风险分类"), required=False)
    department = forms.TypedChoiceField(
        label=_("监管部门"), required=False, coerce=int, empty_value=None
    )
    reg_status = forms.ChoiceField(label=_("登记状态"), required=False)
    region = forms.ChoiceField(label=_("行政区划"), required=False)
    flag = forms.ChoiceField(
        label=_("名单"),
        required=False,
        choices=_ANY + [("abnormal", _("经营异常名录")), ("serious", _("严重违法失信名单"))],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity_type"].choices = _ANY + list(EntityType.choices)
        self.fields["tag"].choices = _ANY + [(t.code, t.name) for t in Tag.objects.all()]
        self.fields["risk_class"].choices = _ANY + list(RiskClass.choices) + [("none", _("未分类"))]
        self.fields["department"].choices = _department_choices(user)
        self.fields["reg_status"].choices = _ANY + list(RegStatus.choices)
        self.fields["region"].choices = _ANY + [
            (r.code, r.name) for r in Region.objects.filter(level="county")
        ]

    def to_filter(self) -> EntityFilter:
        return EntityFilter(**_valid_filter_values(self))


class InspectorFilterForm(BootstrapFormMixin, forms.Form):
    """GET filters of the inspector directory."""

    q = forms.CharField(label=_("姓名或执法证号"), required=False, max_length=50)
    department = forms.TypedChoiceField(
        label=_("所属部门"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(label=_("人员类别"), required=False)
    speciality = forms.ChoiceField(label=_("业务专长"), required=False)
    drawable = forms.ChoiceField(
        label=_("可否抽取"),
        required=False,
        choices=_ANY + [("yes", _("可抽取")), ("no", _("不可抽取"))],
    )
    expert = forms.ChoiceField(
        label=_("专家"), required=False, choices=_ANY + [("yes", _("仅专家"))]
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices(user)
        self.fields["status"].choices = _ANY + list(InspectorStatus.choices)
        self.fields["category"].choices = _ANY + list(InspectorCategory.choices)
        self.fields["speciality"].choices = _ANY + [
            (s.code, s.name) for s in Speciality.objects.all()
        ]

    def to_filter(self) -> InspectorFilter:
        return InspectorFilter(**_valid_filter_values(self))


def _id_number_error(id_type: str, number: str) -> str | None:
    if number and id_type == IdType.RESIDENT_ID:
        return resident_id_error(number)
    return None


class EntityForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit an inspection object."""

    legal_rep_id_number = forms.CharField(
        label=_("法定代表人证件号码"),
        required=False,
        max_length=30,
        help_text=_("只保存脱敏后的号码；修改时留空表示不变"),
    )

    class Meta:
        model = Entity
        fields = [
            "uscc",
            "uscc_override_reason",
            "reg_no",
            "name",
            "entity_type",
            "enterprise_type_code",
            "legal_rep_name",
            "legal_rep_id_type",
            "legal_rep_phone",
            "liaison_name",
            "liaison_phone",
            "address",
            "region",
            "business_address",
            "reg_authority_code",
            "reg_authority_name",
            "jurisdiction_unit",
            "industry_code",
            "tags",
            "licences",
            "established_on",
            "reg_capital",
            "reg_status",
            "risk_class",
            "risk_source",
            "risk_as_of",
            "on_abnormal_list",
            "on_serious_illegal_list",
            "supervising_departments",
        ]
        widgets = {
            "established_on": DateInput(),
            "risk_as_of": DateInput(),
            "tags": forms.CheckboxSelectMultiple,
            "supervising_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        writable = department_choices_for_writing(user)
        if self.instance.pk:
            current = self.instance.supervising_departments.values("pk")
            writable = Department.objects.filter(pk__in=writable.values("pk")) | (
                Department.objects.filter(pk__in=current)
            )
        self.fields["supervising_departments"].queryset = writable.distinct()
        self.fields["region"].queryset = Region.objects.filter(level="county")
        self.fields["uscc"].required = False

    def clean_legal_rep_id_number(self) -> str:
        number: str = self.cleaned_data["legal_rep_id_number"].strip().upper()
        error = _id_number_error(self.data.get("legal_rep_id_type", ""), number)
        if error:
            raise forms.ValidationError(error)
        return number

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "values": {f: data[f] for f in self.Meta.fields if f not in _M2M_ENTITY},
            "supervising_departments": list(data["supervising_departments"]),
            "tags": list(data["tags"]),
            "legal_rep_id_number": data["legal_rep_id_number"],
        }


_M2M_ENTITY = ("tags", "supervising_departments")


class InspectorForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit an inspector."""

    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=18,
        help_text=_("只保存脱敏后的号码；修改时留空表示不变"),
    )

    class Meta:
        model = Inspector
        fields = [
            "name",
            "gender",
            "phone",
            "department",
            "unit",
            "post",
            "category",
            "certificate_no",
            "certificate_authority",
            "certificate_valid_from",
            "certificate_valid_until",
            "specialities",
            "qualified_item_types",
            "status",
            "is_expert",
            "expert_field",
            "expert_org",
        ]
        widgets = {
            "certificate_valid_from": DateInput(),
            "certificate_valid_until": DateInput(),
            "specialities": forms.CheckboxSelectMultiple,
            "qualified_item_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_choices_for_writing(user)

    def clean_id_number(self) -> str:
        number: str = self.cleaned_data["id_number"].strip().upper()
        error = _id_number_error(IdType.RESIDENT_ID, number)
        if error:
            raise forms.ValidationError(error)
        return number

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        m2m = ("specialities", "qualified_item_types")
        return {
            "values": {f: data[f] for f in self.Meta.fields if f not in m2m},
            "specialities": list(data["specialities"]),
            "item_types": list(data["qualified_item_types"]),
            "id_number": data["id_number"],
        }


class AvoidanceForm(BootstrapFormMixin, forms.Form):
    """Declare a 回避 relation by the entity's code."""

    # long enough for a code typed with blanks; clean_entity_code strips them
    entity_code = forms.CharField(label=_("检查对象统一社会信用代码/注册号"), max_length=40)
    reason_type = forms.ChoiceField(label=_("回避原因"), choices=AvoidanceReason.choices)
    reason = forms.CharField(label=_("情况说明"), max_length=255)

    def clean_entity_code(self) -> Entity:
        code = "".join(self.cleaned_data["entity_code"].split()).upper()
        entity = Entity.objects.filter(uscc=code).first() or (
            Entity.objects.filter(reg_no=code).first()
        )
        if entity is None:
            raise forms.ValidationError(_("名录库中没有该代码的检查对象"))
        return entity


class AvoidanceRemoveForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=255)
