from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import (
    account_department_choices,
    account_department_ids,
    grantable_roles,
)
from spotcheck.common.forms import BootstrapFormMixin


def twofactor_locked_message(user: User) -> str:
    """Tell a user locked by wrong two-step codes what happened and whom to ask."""
    department = f"或{user.department}的管理员" if user.department_id else ""
    return (
        f"账号已锁定：两步验证码连续错误 {user.twofactor_failures} 次。"
        f"请联系平台管理员{department}在“账号管理”中解锁。"
    )


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

    def confirm_login_allowed(self, user: User) -> None:  # type: ignore[override]
        """Refuse an account locked by wrong two-step codes, even with the right password."""
        super().confirm_login_allowed(user)
        if user.twofactor_locked:
            raise forms.ValidationError(twofactor_locked_message(user), code="twofactor_locked")


# --------------------------------------------------------------------------- 账号管理

_ANY = [("", _("全部"))]


class _DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:  # type: ignore[override]
        depth = obj.path.count("/") - 2
        return f"{'　' * depth}{obj.name}"


class UserFilterForm(BootstrapFormMixin, forms.Form):
    """GET filters of the account list."""

    q = forms.CharField(label=_("姓名、登录名或电话"), required=False, max_length=50)
    department = _DepartmentChoice(
        label=_("所属部门（含下级）"), required=False, queryset=Department.objects.none()
    )
    role = forms.ChoiceField(label=_("角色"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=_ANY + [("active", _("启用")), ("inactive", _("已停用")), ("locked", _("已锁定"))],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = account_department_ids(user)
        departments = Department.objects.order_by("path")
        self.fields["department"].queryset = (
            departments if ids is None else departments.filter(pk__in=ids)
        )
        self.fields["department"].empty_label = "全部"
        self.fields["role"].choices = _ANY + list(Role.choices)

    def filters(self) -> dict[str, Any] | None:
        """Return the filters; None when one is invalid (the list must then be empty)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class UserForm(BootstrapFormMixin, forms.Form):
    """Name, phone, role and department of an account, as far as the actor may give them."""

    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    role = forms.ChoiceField(
        label=_("角色"), error_messages={"invalid_choice": _("不能授予高于本人角色的角色")}
    )
    department = _DepartmentChoice(
        label=_("所属部门"),
        required=False,
        queryset=Department.objects.none(),
        help_text=_("执法检查人员和各级管理员必须指定部门"),
        error_messages={"invalid_choice": _("只能选择本部门或下级部门")},
    )

    def __init__(self, *args: Any, actor: User, current: Department | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in grantable_roles(actor)]
        choices = Department.objects.filter(
            Q(pk__in=account_department_choices(actor)) | Q(pk=getattr(current, "pk", None))
        ).order_by("path")
        self.fields["department"].queryset = choices
        self.fields["department"].empty_label = "（无，平台管理员或审计员）"
        if account_department_ids(actor) is not None:
            self.fields["department"].required = True
            self.fields["department"].empty_label = "请选择"


class UserCreateForm(UserForm):
    """A new account: login, and the initial password typed in or generated."""

    username = forms.CharField(
        label=_("登录名"),
        max_length=150,
        help_text=_("字母、数字和 @ . + - _，创建后不能修改"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("留空则由系统生成，创建后只显示一次。至少 10 位，不能是常见密码或纯数字"),
    )
    password_again = forms.CharField(
        label=_("再次输入初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "display_name",
        "phone",
        "role",
        "department",
        "password",
        "password_again",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", "两次输入的密码不一致")
        return data


class ConfirmForm(forms.Form):
    """The explicit yes of a confirmation page."""

    confirm = forms.BooleanField(
        required=True, error_messages={"required": "请先在确认页面确认此操作"}
    )
