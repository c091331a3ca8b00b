"""The upload form of directory imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import department_choices_for_writing
from spotcheck.common.forms import BootstrapFormMixin
from spotcheck.imports.choices import ImportKind

MAX_UPLOAD_BYTES = 1 << 30
_ENCODINGS = [
    ("", _("自动识别")),
    ("utf-8", "UTF-8"),
    ("gb18030", "GB18030 / GBK"),
]


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    """Choose the directory, the file and how strict the import is."""

    kind = forms.ChoiceField(label=_("导入到"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "Excel 工作簿（.xlsx）或 CSV；表头为中文列名，列的顺序不限。CSV 请存为 UTF-8 或 "
            "GB18030（ANSI/GBK 会丢失生僻字）；代码列请设为“文本”格式"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
        error_messages={"empty": _("文件是空的（0 字节），请检查是否选错了文件")},
    )
    department = forms.ModelChoiceField(
        label=_("部门"),
        queryset=None,
        required=False,
        help_text=_("只导入该部门及下级部门的记录；“监管部门”“所属部门”留空的行归入该部门"),
    )
    encoding = forms.ChoiceField(
        label=_("CSV 编码"),
        choices=_ENCODINGS,
        required=False,
        help_text=_("一般无需选择；识别错误时再指定"),
    )
    valid_only = forms.BooleanField(
        label=_("仅导入有效行"),
        required=False,
        help_text=_("不勾选时，文件中有任何一行有误就整份不导入"),
    )
    dry_run = forms.BooleanField(
        label=_("试运行"), required=False, help_text=_("只检查并统计，不写入名录库")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = department_choices_for_writing(user)
        field = self.fields["department"]
        field.queryset = departments  # type: ignore[attr-defined]
        if access_platform_for_administering(user):
            field.empty_label = "全部部门"  # type: ignore[attr-defined]
        else:
            field.empty_label = f"本部门（{user.department}）"  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 1 GB，请拆分后分批导入"))
        return upload
