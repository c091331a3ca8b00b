"""Case list, case page with its action forms, evidence download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.common.forms import add_service_errors
from spotcheck.core import followup as rules
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.followup import services
from spotcheck.followup.choices import CaseState
from spotcheck.followup.forms import FORMS, CaseFilterForm
from spotcheck.followup.models import Case
from spotcheck.followup.selectors import (
    case_actions_for_user,
    case_evidence_get_for_user,
    case_get_for_user,
    case_list_for_user,
    case_steps,
)

_PAGE_SIZE = 30


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = case_list_for_user(request.user)
    if form.is_valid():
        state = form.cleaned_data["state"]
        if state == "incoming":
            writable = writable_department_ids(request.user)
            cases = cases.filter(state=CaseState.TRANSFERRING)
            if writable is not None:
                cases = cases.filter(transfer_to__in=writable)
        elif state == "overdue":
            cases = cases.exclude(state=CaseState.CLOSED).filter(
                Q(deadline__state=DeadlineState.OVERDUE)
                | Q(deadline__due_date__lt=timezone.localdate())
            )
        elif state:
            cases = cases.filter(state=state)
        if form.cleaned_data["q"]:
            cases = cases.filter(entity__name__contains=form.cleaned_data["q"])
    task = request.GET.get("task", "")
    if task.isdigit():  # from a task page: that task's cases only
        cases = cases.filter(task_id=int(task))
    page = Paginator(cases.order_by("-found_on", "-pk"), _PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followup/case_list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "task": task if task.isdigit() else "",
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request: HttpRequest) -> str:
    """The list's filters, for the page links (the page number is added by them)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _forms_for(user: User, case: Case, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    forms = {}
    initial = {"version": case.version, "closed_on": timezone.localdate()}
    for action in case_actions_for_user(user, case):
        if bound and action in bound:
            forms[action] = bound[action]
        else:
            forms[action] = FORMS[action](initial=initial, prefix=action)
    return forms


def _render_case(
    request: HttpRequest, case: Case, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    forms = _forms_for(request.user, case, bound)
    return render(
        request,
        "followup/case_detail.html",
        {
            "case": case,
            "steps": case_steps(case),
            "forms": [(action, rules.ACTION_LABELS[action], f) for action, f in forms.items()],
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, case_get_for_user(request.user, pk))


def _run(action: str, user: User, case: Case, data: dict[str, Any]) -> Case:
    version = data["version"]
    files = data.get("files", [])
    if action == rules.MEASURE:
        return services.case_record_measure(
            actor=user,
            case=case,
            measure=data["measure"],
            note=data["note"],
            files=files,
            version=version,
        )
    if action == rules.TRANSFER:
        return services.case_transfer(
            actor=user,
            case=case,
            to_department=data["to_department"],
            reason=data["reason"],
            files=files,
            version=version,
        )
    if action == rules.ACCEPT:
        return services.case_accept_transfer(
            actor=user, case=case, note=data["note"], version=version
        )
    if action == rules.RETURN:
        return services.case_return_transfer(
            actor=user, case=case, reason=data["reason"], version=version
        )
    if action == rules.CLOSE:
        return services.case_close(
            actor=user,
            case=case,
            result=data["result"],
            closed_on=data["closed_on"],
            files=files,
            version=version,
        )
    return services.case_reopen(actor=user, case=case, reason=data["reason"], version=version)


_DONE = {
    rules.MEASURE: "已记录处置措施",
    rules.TRANSFER: "已移交，等待对方部门接收",
    rules.ACCEPT: "已接收，本部门办理时限自今天起算",
    rules.RETURN: "已退回原部门",
    rules.CLOSE: "已办结",
    rules.REOPEN: "已重新办理",
}


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = case_get_for_user(request.user, pk)
    if action not in FORMS:
        raise Http404
    form = FORMS[action](request.POST, request.FILES, prefix=action)
    if form.is_valid():
        try:
            _run(action, request.user, case, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _DONE[action])
            return redirect("followup:case_detail", pk=pk)
    case = case_get_for_user(request.user, pk)
    if action not in case_actions_for_user(request.user, case):
        # the case moved on (or this user may not act): show the refusal on top
        for error in form.non_field_errors():
            messages.error(request, error)
        if not form.non_field_errors():
            messages.error(request, "本事项当前不能执行该操作，请查看最新情况")
        return _render_case(request, case, status=400)
    return _render_case(request, case, bound={action: form}, status=400)


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    evidence = case_evidence_get_for_user(request.user, pk, evidence_id)
    if not default_storage.exists(evidence.path):
        raise Http404
    response = FileResponse(
        default_storage.open(evidence.path, "rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
