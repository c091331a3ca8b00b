"""The pages of the workflow steps on a record: the department's inbox (待办任务) and the
review of a signed record (审核), whose approval may publish the results and open the
follow-up cases. They are served under the ``inspections`` URL names
(``spotcheck.workflow.record_urls``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.accounts.models import User
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.inspections.choices import ReviewDecision
from spotcheck.inspections.forms import ReviewForm
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.merging import merge_proposals_for_user
from spotcheck.inspections.selectors.records import joint_record_get_for_user
from spotcheck.inspections.selectors.review import current_reviews, review_departments
from spotcheck.workflow.inbox import inbox_can_open, inbox_for_user
from spotcheck.workflow.records import record_review


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _flash(request: HttpRequest, exc: Exception) -> None:
    """Show a refusal as the page's error message."""
    if isinstance(exc, ValidationError):
        texts = exc.messages
    else:
        texts = [str(exc.args[0]) if exc.args else "操作失败"]
    messages.error(request, "；".join(texts))


# ------------------------------------------------------------------------------ inbox


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """A department admin's tasks waiting for it (the lead office and platform see theirs)."""
    if not inbox_can_open(request.user):
        raise Http404
    box = inbox_for_user(request.user)
    return render(
        request,
        "inspections/inbox.html",
        {
            "inbox": box,
            "counts": box.counts,
            "proposals": len(merge_proposals_for_user(request.user)),
        },
    )


# --------------------------------------------------------------------------- review


def _approval_confirmation(user: User, record: JointRecord) -> Confirmation:
    """审核通过 says whether this approval is the last one, which publishes the results."""
    needed = {i.department_id for i in record.items.all()}
    approved = {
        d for d, r in current_reviews(record).items() if r.decision == ReviewDecision.APPROVED
    }
    last = needed <= approved | set(review_departments(user, record))
    consequences = [f"对{record.entity.name}的联合检查记录表，本部门负责的事项审核通过"]
    if last and record.task.is_practice:
        consequences += [
            "这是最后一个部门的审核：记录表即定稿",
            "这是演练任务：检查结果不在公示平台公开，也不报送",
        ]
    elif last:
        consequences += [
            "这是最后一个部门的审核：记录表即定稿，检查结果立即在公示平台公开（一公开）",
            "结果需要后续处置的事项同时立案，开始计算办理时限",
            "公开后只能由发布部门写明理由更正，原版本留档",
        ]
    else:
        consequences.append("其他部门审核通过后，检查结果将在公示平台公开")
    return Confirmation(
        title="确认审核通过并公示" if last else "确认审核通过",
        consequences=consequences,
        button="确认通过并公示" if last else "确认通过",
        back_url=reverse("inspections:field_final", args=[record.pk]),
    )


@login_required
@require_POST
def record_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结论")
        return redirect("inspections:field_final", pk=record.pk)
    if form.cleaned_data["decision"] == ReviewDecision.APPROVED:
        asked = confirm_first(request, _approval_confirmation(user, record))
        if asked is not None:
            return asked
    try:
        record_review(
            actor=user,
            record=record,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            resign_required=form.cleaned_data["resign_required"],
        )
        if form.cleaned_data["resign_required"]:
            messages.success(
                request, "已退回，并要求检查对象重新签字；重新签字后检查人员才能重新提交"
            )
        elif form.cleaned_data["decision"] == ReviewDecision.RETURNED:
            messages.success(request, "已退回，检查人员修改后将重新提交")
        else:
            messages.success(request, "已审核通过")
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    return redirect("inspections:field_final", pk=record.pk)
