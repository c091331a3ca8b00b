from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from spotcheck.common.forms import BootstrapFormMixin


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
            }
        ),
        help_text=_("验证器应用中显示的 6 位数字"),
    )
