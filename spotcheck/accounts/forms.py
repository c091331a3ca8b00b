from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from spotcheck.common.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """The login form with Chinese labels and messages."""

    # a wrong password is told in templates/accounts/login.html's alert with this id
    non_field_error_fields = ("username", "password")
    non_field_error_id = "login-error"

    username = forms.CharField(
        label=_("用户名"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续多次失败后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系平台管理员。"),
    }
