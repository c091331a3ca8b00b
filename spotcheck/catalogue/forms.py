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


MAX_CATALOGUE_UPLOAD_BYTES = 10 << 20


class CatalogueImportForm(BootstrapFormMixin, forms.Form):
    """Upload an item catalogue file; every row must be right or nothing is imported."""

    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV；可先导出本部门清单，修改后再导入"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
        error_messages={"empty": _("文件是空的（0 字节），请检查是否选错了文件")},
    )
    encoding = forms.ChoiceField(
        label=_("CSV 编码"),
        required=False,
        choices=[("", _("自动识别")), ("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK")],
        help_text=_("一般无需选择；识别错误时再指定"),
    )
    dry_run = forms.BooleanField(
        label=_("试运行"), required=False, help_text=_("只检查并统计，不写入抽查事项清单")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CATALOGUE_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，请拆分后分批导入"))
        return upload
