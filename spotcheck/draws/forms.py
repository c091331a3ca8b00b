from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import User
from spotcheck.common.forms import BootstrapFormMixin

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PrepareForm(BootstrapFormMixin, forms.Form):
    officials = forms.ModelMultipleChoiceField(
        label=_("作出承诺的官员（至少两个不同部门）"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    redraw_reason = forms.CharField(label=_("重新抽取理由"), required=False, max_length=255)
    approved_by = forms.ModelChoiceField(
        label=_("批准人（另一角色的官员）"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, candidates: Any, approvers: Any, redraw: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["officials"].queryset = candidates
        self.fields["officials"].label_from_instance = lambda u: f"{u}（{u.department}）"
        self.fields["approved_by"].queryset = approvers
        if not redraw:
            del self.fields["redraw_reason"]
            del self.fields["approved_by"]


class SecretForm(BootstrapFormMixin, forms.Form):
    secret = forms.CharField(
        label=_("秘密值（64位十六进制）"),
        required=False,
        max_length=80,
        help_text=_("承诺时可留空，由系统生成并只显示一次；公布时须填写承诺时的秘密值"),
    )

    def __init__(self, *args: Any, required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].required = required

    def clean_secret(self) -> bytes | None:
        value = "".join(self.cleaned_data["secret"].split()).lower()
        if not value:
            return None
        if not _HEX64.match(value):
            raise forms.ValidationError(_("秘密值应为64位十六进制字符（0-9、a-f）"))
        return bytes.fromhex(value)


class AbandonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("放弃理由"), max_length=255)
