"""Pages whose one step carries on into several contexts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.campaigns.selectors import task_can_organise, task_get_for_user
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.core.errors import DomainError
from spotcheck.draws.views import show_refusal
from spotcheck.workflow.matching import task_match


@login_required
@require_POST
def match_view(request: HttpRequest, pk: int) -> HttpResponse:
    """随机匹配 on the task page: the final matching and its 一企一表 records."""
    task = task_get_for_user(request.user, pk)
    if not task_can_organise(request.user, task):
        raise Http404
    asked = confirm_first(
        request,
        Confirmation(
            title="确认随机匹配",
            consequences=[
                "对替补后的最终名单和各部门抽取的执法检查人员随机匹配，组成检查组",
                "为每户检查对象生成一企一表并推送到检查组成员的手机，任务进入“已匹配”",
                "匹配结果按规则确定并公开，之后不能重新匹配",
            ],
            button="确认随机匹配",
            back_url=reverse("campaigns:task_detail", args=[pk]),
        ),
    )
    if asked is not None:
        return asked
    try:
        final = task_match(actor=request.user, task=task)
    except (ValidationError, PermissionDenied, DomainError) as exc:
        show_refusal(request, exc)
    else:
        m = final.matching
        text = f"随机匹配完成：检查组 {len(m.groups)} 个，已生成一企一表 {len(final.entities)} 份"
        if m.infeasible:
            text += f"；{len({x.entity_id for x in m.infeasible})} 户无法组成检查组，须牵头单位处理"
        messages.success(request, text)
    return redirect("campaigns:task_detail", pk=pk)
