"""The two-step settings page (admins) and the code page after the password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from spotcheck.accounts.forms import twofactor_locked_message
from spotcheck.common.forms import add_service_errors
from spotcheck.twofactor.forms import CodeForm
from spotcheck.twofactor.middleware import SESSION_KEY, passed
from spotcheck.twofactor.models import TotpDevice
from spotcheck.twofactor.services import (
    provisioning_uri,
    totp_active,
    totp_begin,
    totp_check,
    totp_confirm,
    totp_disable,
    totp_eligible,
)

MAX_FAILURES = 5


def _eligible(request: HttpRequest) -> None:
    if not totp_eligible(request.user):
        raise Http404


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    _eligible(request)
    device = TotpDevice.objects.filter(user=request.user).first()
    pending = device if device is not None and device.confirmed_at is None else None
    return render(
        request,
        "twofactor/settings.html",
        {
            "active": totp_active(request.user),
            "pending": pending,
            "key_groups": [pending.secret[i : i + 4] for i in range(0, len(pending.secret), 4)]
            if pending
            else [],
            "uri": provisioning_uri(pending) if pending else "",
            "form": CodeForm(),
        },
    )


@login_required
@require_POST
def begin_view(request: HttpRequest) -> HttpResponse:
    _eligible(request)
    try:
        totp_begin(actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("twofactor:settings")


@login_required
@require_POST
def confirm_view(request: HttpRequest) -> HttpResponse:
    _eligible(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            totp_confirm(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[SESSION_KEY] = request.user.pk
            messages.success(request, "两步验证已启用：以后登录时需输入验证器中的验证码")
            return redirect("twofactor:settings")
    messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("twofactor:settings")


@login_required
@require_POST
def disable_view(request: HttpRequest) -> HttpResponse:
    _eligible(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            totp_disable(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError:
            messages.error(request, "验证码不正确，两步验证未停用")
        else:
            messages.success(request, "两步验证已停用")
    else:
        messages.error(request, "请输入验证码")
    return redirect("twofactor:settings")


@login_required
def verify_view(request: HttpRequest) -> HttpResponse:
    """The second step after the password."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    target = target or "/workbench/"
    if passed(request) or not totp_active(request.user):
        return redirect(target)
    if request.user.twofactor_locked:
        return _locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_check(actor=request.user, code=form.cleaned_data["code"]):
            request.session[SESSION_KEY] = request.user.pk
            request.session.pop("twofactor_failures", None)
            return redirect(target)
        if request.user.twofactor_locked:
            return _locked_out(request)
        failures = request.session.get("twofactor_failures", 0) + 1
        request.session["twofactor_failures"] = failures
        if failures >= MAX_FAILURES:
            logout(request)
            messages.error(request, "验证码连续错误，已退出登录，请重新登录")
            return redirect("accounts:login")
        left = MAX_FAILURES - failures
        account_left = settings.TWO_FACTOR_FAILURE_LIMIT - request.user.twofactor_failures
        if account_left <= left:
            form.add_error("code", f"验证码不正确（再错 {account_left} 次账号将被锁定）")
        else:
            form.add_error("code", f"验证码不正确（还可尝试 {left} 次）")
        form.mark_invalid()
    return render(request, "twofactor/verify.html", {"form": form, "next": target})


def _locked_out(request: HttpRequest) -> HttpResponse:
    """Sign out an account that wrong codes locked, and say whom to ask."""
    message = twofactor_locked_message(request.user)
    logout(request)
    messages.error(request, message)
    return redirect("accounts:login")
