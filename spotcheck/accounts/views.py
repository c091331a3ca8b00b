"""账号管理: administrators list, create and change the accounts of their own scope.

Every page goes through ``user_get_for_user`` / ``user_list_for_user`` (404 outside the
scope) and every change through a service of ``spotcheck.accounts.services``; a refusal
is shown in Chinese and writes nothing.  Deactivating and removing an authenticator are
confirmed on a page of their own first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_POST

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.forms import ConfirmForm, UserCreateForm, UserFilterForm, UserForm
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import (
    password_failures,
    user_can_manage_accounts,
    user_get_for_user,
    user_list_for_user,
    user_manage_refusal,
)
from spotcheck.accounts.services import (
    generate_initial_password,
    user_create,
    user_deactivate,
    user_reactivate,
    user_twofactor_reset,
    user_unlock,
    user_update,
)
from spotcheck.common.forms import add_service_errors

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    """The sign-in page; an inspector lands on 现场检查, everyone else on the 工作台.

    A safe ``next`` still takes anyone where they were going.
    """

    def get_default_redirect_url(self) -> str:
        if access_records_for_inspecting(self.request.user):
            return str(resolve_url(settings.INSPECTOR_LOGIN_REDIRECT_URL))
        return str(super().get_default_redirect_url())


def _managers_only(request: HttpRequest) -> None:
    if not user_can_manage_accounts(request.user):
        raise Http404


def _refusal_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc.args[0]) if exc.args else "无权执行此操作"


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _managers_only(request)
    form = UserFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    qs = user_list_for_user(request.user, **(filters or {}))
    if filters is None:
        qs = qs.none()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": params.urlencode(),
        },
    )


@login_required
def user_create_view(request: HttpRequest) -> HttpResponse:
    _managers_only(request)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        generated = not data["password"]
        password = generate_initial_password() if generated else data["password"]
        try:
            user = user_create(
                actor=request.user,
                username=data["username"],
                password=password,
                display_name=data["display_name"],
                role=data["role"],
                department=data["department"],
                phone=data["phone"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            if generated:
                # shown on this answer only: never stored, never put in a message cookie
                return render(
                    request,
                    "accounts/user_created.html",
                    {"account": user, "password": password},
                )
            messages.success(request, f"已创建账号：{user.display_name}（{user.username}）")
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _managers_only(request)
    account = user_get_for_user(request.user, pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "refusal": user_manage_refusal(request.user, account),
            "is_self": account.pk == request.user.pk,
            "password_failures": password_failures(account),
            "password_limit": settings.AXES_FAILURE_LIMIT,
            "twofactor_limit": settings.TWO_FACTOR_FAILURE_LIMIT,
        },
    )


@login_required
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _managers_only(request)
    account = user_get_for_user(request.user, pk)
    initial = {
        "display_name": account.display_name,
        "phone": account.phone,
        "role": account.role,
        "department": account.department,
    }
    form = UserForm(
        request.POST or None, initial=initial, actor=request.user, current=account.department
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_update(actor=request.user, user=account, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("accounts:user_detail", pk=pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


def _act(
    request: HttpRequest,
    account: User,
    service: Callable[..., Any],
    done: str,
) -> HttpResponse:
    try:
        service(actor=request.user, user=account)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未执行：{_refusal_text(exc)}")
    else:
        messages.success(request, done)
    return redirect("accounts:user_detail", pk=account.pk)


def _confirmed(
    request: HttpRequest,
    pk: int,
    service: Callable[..., Any],
    done: str,
    template: str,
) -> HttpResponse:
    """GET shows what will happen; only the POST of that page (confirm=1) acts."""
    _managers_only(request)
    account = user_get_for_user(request.user, pk)
    if request.method == "POST":
        if ConfirmForm(request.POST).is_valid():
            return _act(request, account, service, done)
        messages.error(request, "未执行：请在本页确认后再提交")
    return render(
        request,
        template,
        {"account": account, "refusal": user_manage_refusal(request.user, account)},
    )


@login_required
@require_POST
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    _managers_only(request)
    account = user_get_for_user(request.user, pk)
    return _act(request, account, user_unlock, "已解锁，该账号可以重新登录")


@login_required
@require_POST
def user_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _managers_only(request)
    account = user_get_for_user(request.user, pk)
    return _act(request, account, user_reactivate, "已重新启用该账号")


@login_required
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmed(
        request,
        pk,
        user_deactivate,
        "已停用该账号：不能再登录，已登录的会话和接口令牌立即失效",
        "accounts/user_deactivate.html",
    )


@login_required
def user_twofactor_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmed(
        request,
        pk,
        user_twofactor_reset,
        "已移除该账号的验证器：本人下次登录后可在“两步验证”页面重新启用",
        "accounts/user_twofactor_reset.html",
    )
