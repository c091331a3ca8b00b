from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.selectors import department_choices_for_writing
from spotcheck.campaigns.models import AnnualPlan, Task
from spotcheck.campaigns.selectors import plan_list_for_user
from spotcheck.catalogue.models import InspectionItem
from spotcheck.common.forms import BootstrapFormMixin, DateInput
from spotcheck.directory.choices import EntityType, RegStatus


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "number", "name", "department", "is_joint"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_choices_for_writing(user)


class TaskForm(BootstrapFormMixin, forms.ModelForm):
    """A joint task; the participating departments follow from the items chosen."""

    scope_entity_types = forms.MultipleChoiceField(
        label=_("对象类型范围"),
        choices=EntityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限"),
    )
    scope_reg_statuses = forms.MultipleChoiceField(
        label=_("登记状态范围"),
        choices=RegStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示只抽取存续（在业）对象"),
    )
    items = forms.ModelMultipleChoiceField(
        label=_("各部门抽查事项"),
        queryset=InspectionItem.objects.filter(is_active=True).select_related("department"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("选择了事项的部门即为参与部门；牵头部门须至少选择一项"),
    )

    class Meta:
        model = Task
        fields = [
            "plan",
            "number",
            "name",
            "task_type",
            "lead_department",
            "window_start",
            "window_end",
            "scope_department",
            "scope_region",
            "scope_entity_types",
            "scope_tags",
            "scope_reg_statuses",
            "ratio_a",
            "ratio_b",
            "ratio_c",
            "ratio_d",
            "ratio_unclassified",
            "floor_ratio",
            "exclude_checked_within_days",
            "annual_cap",
            "publish_object_list",
        ]
        widgets = {
            "window_start": DateInput(),
            "window_end": DateInput(),
            "scope_tags": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plan_list_for_user(user)
        self.fields["lead_department"].queryset = department_choices_for_writing(user)
        self.fields["scope_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["scope_region"].queryset = Region.objects.all()
        self.fields["items"].label_from_instance = lambda i: f"{i.department.short_name}：{i.name}"
        if self.instance.pk and not self.is_bound:
            self.initial["items"] = InspectionItem.objects.filter(
                task_roles__task=self.instance
            ).values_list("pk", flat=True)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        by_department: dict[Department, list[InspectionItem]] = defaultdict(list)
        for item in data["items"]:
            by_department[item.department].append(item)
        return {
            "values": {f: data[f] for f in self.Meta.fields if f != "scope_tags"},
            "participants": list(by_department.items()),
            "scope_tags": list(data["scope_tags"]),
        }
