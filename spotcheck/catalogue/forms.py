from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import department_choices_for_writing
from spotcheck.catalogue.choices import CheckMethod, ItemClass
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.common.forms import BootstrapFormMixin
from spotcheck.directory.choices import EntityType

_ANY = [("", _("全部"))]


class ItemFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("名称、编码或依据"), required=False, max_length=100)
    department = forms.TypedChoiceField(
        label=_("抽查主体"), required=False, coerce=int, empty_value=None
    )
    item_class = forms.ChoiceField(
        label=_("事项类别"), required=False, choices=_ANY + list(ItemClass.choices)
    )
    method = forms.ChoiceField(
        label=_("抽查方式"), required=False, choices=_ANY + list(CheckMethod.choices)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _ANY + [
            (str(d.pk), d.name) for d in Department.objects.filter(items__isnull=False).distinct()
        ]


class ItemForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit a catalogue item; 检查内容 are entered one per line."""

    methods = forms.MultipleChoiceField(
        label=_("抽查方式"), choices=CheckMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    entity_types = forms.MultipleChoiceField(
        label=_("抽查对象类型"), choices=EntityType.choices, widget=forms.CheckboxSelectMultiple
    )
    sub_items_text = forms.CharField(
        label=_("检查内容及要求"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一条"),
    )
    result_codes = forms.ModelMultipleChoiceField(
        label=_("检查结果选项"),
        queryset=ResultCode.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InspectionItem
        fields = [
            "department",
            "code",
            "name",
            "item_type",
            "item_class",
            "ratio_min",
            "ratio_max",
            "frequency",
            "methods",
            "entity_types",
            "tags",
            "legal_basis",
            "speciality",
            "result_codes",
            "is_active",
            "notes",
        ]
        widgets = {
            "tags": forms.CheckboxSelectMultiple,
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_choices_for_writing(user)
        if self.instance.pk and not self.is_bound:
            self.initial["sub_items_text"] = "\n".join(
                self.instance.sub_items.values_list("content", flat=True)
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        m2m = ("tags", "result_codes")
        return {
            "values": {f: data[f] for f in self.Meta.fields if f not in m2m},
            "sub_items": data["sub_items_text"].splitlines(),
            "result_codes": list(data["result_codes"]),
            "tags": list(data["tags"]),
        }
