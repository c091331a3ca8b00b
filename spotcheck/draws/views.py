"""The draw page of a task: officials commit, the lead announces, officials reveal, draw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.access.gates import access_department_for_administering
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.campaigns.selectors import task_can_organise, task_get_for_user
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.common.http import download
from spotcheck.core.draw import DrawError
from spotcheck.core.errors import DomainError
from spotcheck.draws.ceremony import (
    draw_abandon,
    draw_announce,
    draw_commit,
    draw_prepare,
    draw_reveal,
    draw_run,
)
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.dispatch import (
    department_claim,
    department_confirm,
    dispatch_withdraw_refusal,
    draw_dispatch,
    draw_dispatch_withdraw,
    drawn_object_replace,
    drawn_object_replace_check,
)
from spotcheck.draws.forms import (
    AbandonForm,
    CommitForm,
    PrepareForm,
    RefuseForm,
    ReplaceForm,
    RunForm,
    SecretForm,
    prepare_form,
)
from spotcheck.draws.matching import grouping_start
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.draws.outcomes import draw_bundle_zip
from spotcheck.draws.redraws import draw_redraw_approve, draw_redraw_refuse
from spotcheck.draws.selectors import (
    announcement_of,
    attempts_of,
    declared_reasons,
    dispatched_objects,
    drawn_attempt,
    drawn_entities,
    final_result_of,
    live_attempt,
    pending_redraw,
    redraw_overview,
    replacement_counts,
    replacement_preview,
    result_of,
    stratum_shortfalls,
)
from spotcheck.draws.storage import stored_selection


def _chinese(message: str) -> str:
    """The Chinese half of a DRAW-v1 engine message ("中文 / English"): officials read Chinese."""
    return message.split(" / ", 1)[0]


def show_refusal(request: HttpRequest, exc: Exception) -> None:
    """Show a refused step as an error message, in Chinese."""
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(_chinese(m) for m in exc.messages))
    else:
        messages.error(request, _chinese(str(exc.args[0])) if exc.args else "操作失败")


@login_required
def draw_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _draw_page(request, task_get_for_user(request.user, pk))


def _draw_page(
    request: HttpRequest, task: Task, refused: PrepareForm | None = None
) -> HttpResponse:
    """The draw page; ``refused`` is a prepare form sent back with its errors and values."""
    live = live_attempt(task)
    mine = live.officials.filter(user=request.user).first() if live else None
    drawn = drawn_attempt(task)
    redraw = redraw_overview(task, request.user)
    announcement = announcement_of(live) if live and live.announcement else None
    result = result_of(drawn) if drawn else None
    final = final_result_of(drawn) if drawn else None
    can_redraw = bool(redraw and redraw["can_request"])
    return render(
        request,
        "draws/draw_page.html",
        {
            "task": task,
            "attempts": attempts_of(task),
            "live": live,
            "mine": mine,
            "drawn": drawn,
            "announcement": announcement,
            "result": result,
            "final": final,
            "selected": drawn_entities(drawn),
            "organiser": task_can_organise(request.user, task),
            "prepare_form": (refused or prepare_form(task, request.user))
            if live is None and redraw is None
            else None,
            "redraw": redraw,
            "redraw_form": (refused or prepare_form(task, request.user)) if can_redraw else None,
            "refuse_form": RefuseForm(),
            "commit_form": CommitForm(),
            "secret_form": SecretForm(),
            "abandon_form": AbandonForm(),
            "run_form": RunForm(),
        },
        status=400 if refused is not None else 200,
    )


def _organised_task(request: HttpRequest, pk: int) -> Task:
    task = task_get_for_user(request.user, pk)
    if not task_can_organise(request.user, task):
        raise Http404
    return task


@login_required
@require_POST
def prepare_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _organised_task(request, pk)
    form = prepare_form(task, request.user, request.POST)
    if form.is_valid():
        try:
            attempt = draw_prepare(
                actor=request.user,
                task=task,
                officials=list(form.cleaned_data["officials"]),
                redraw_reason=form.cleaned_data.get("redraw_reason", ""),
                approved_by=form.cleaned_data.get("approved_by"),
                **form.sources(),
            )
        except PermissionDenied as exc:
            show_refusal(request, exc)
            return _back(request, pk)
        except ValidationError as exc:
            form.refuse(exc)
        else:
            messages.success(
                request,
                f"已提交重新抽取申请（第{attempt.number}次抽取），待{attempt.approved_by}批准；"
                "批准后各承诺官员方可作出承诺"
                if attempt.status == AttemptStatus.REQUESTED
                else "已发起抽取，请各承诺官员登录本页作出承诺",
            )
            return _back(request, pk)
    if request.POST.get("back") == "task":
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return _back(request, pk)
    # back on the draw page with what was entered and each reason beside its field
    return _draw_page(request, task, refused=form)


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the page the form was on: the task page (``back=task``) or the draw page."""
    if request.POST.get("back") == "task":
        return redirect("campaigns:task_detail", pk=pk)
    return redirect("draws:draw_page", pk=pk)


@login_required
@require_POST
def commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    live = live_attempt(task)
    if live is None:
        raise Http404
    form = CommitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("draws:draw_page", pk=pk)
    try:
        draw_commit(
            actor=request.user,
            attempt=live,
            secret=form.cleaned_data["secret"],
            commitment_hash=form.cleaned_data["commitment"],
        )
    except (ValidationError, PermissionDenied, DrawError) as exc:
        show_refusal(request, exc)
        return redirect("draws:draw_page", pk=pk)
    messages.success(
        request,
        "承诺已记录。平台只保存承诺值，"
        + ("没有保存您的秘密值" if form.cleaned_data["secret"] else "不知道您的秘密值")
        + "；抽取公告发布后，请在本页公布秘密值",
    )
    return redirect("draws:draw_page", pk=pk)


@login_required
@require_POST
def announce_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _organised_task(request, pk)
    live = live_attempt(task)
    if live is None:
        raise Http404
    try:
        draw_announce(actor=request.user, attempt=live)
    except (ValidationError, PermissionDenied, DrawError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已发布抽取公告：名录和人员库已冻结，请各官员公布秘密值")
    return redirect("draws:draw_page", pk=pk)


@login_required
@require_POST
def reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    live = live_attempt(task)
    if live is None:
        raise Http404
    form = SecretForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.errors["secret"]))
        return redirect("draws:draw_page", pk=pk)
    try:
        draw_reveal(actor=request.user, attempt=live, secret=form.cleaned_data["secret"])
    except (ValidationError, PermissionDenied, DrawError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "秘密值与承诺一致，已公布")
    return redirect("draws:draw_page", pk=pk)


@login_required
@require_POST
def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _organised_task(request, pk)
    live = live_attempt(task)
    if live is None:
        messages.info(request, "本任务没有待执行的抽取（可能已经抽取完成）")
        return redirect("draws:draw_page", pk=pk)
    form = RunForm(request.POST)
    form.is_valid()
    asked = confirm_first(
        request,
        Confirmation(
            title="确认执行抽取",
            consequences=[
                f"按已发布的抽取公告执行第{live.number}次抽取，抽出检查对象和执法检查人员",
                "结果由公告、各官员的秘密值和公共随机源唯一确定，任何人可用复核数据包重算",
                "抽取结果立即保存并公开；之后只能经另一角色官员批准重新抽取，本次结果保留",
            ],
            details=[
                (label, value)
                for label, value in (
                    ("开奖结果/随机值", form.cleaned_data.get("public_value", "")),
                    ("drand签名", form.cleaned_data.get("signature", "")),
                )
                if value
            ],
            button="确认执行抽取",
            back_url=reverse("draws:draw_page", args=[pk]),
        ),
    )
    if asked is not None:
        return asked
    try:
        draw_run(
            actor=request.user,
            attempt=live,
            public_value=form.cleaned_data.get("public_value", ""),
            used=form.cleaned_data.get("used") or "primary",
            signature=form.cleaned_data.get("signature", ""),
            previous_signature=form.cleaned_data.get("previous_signature", ""),
        )
    except (ValidationError, PermissionDenied, DrawError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "抽取完成")
    return redirect("draws:draw_page", pk=pk)


@login_required
@require_POST
def abandon_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _organised_task(request, pk)
    live = live_attempt(task) or pending_redraw(task)  # a pending request is withdrawn
    if live is None:
        raise Http404
    withdraw = live.status == AttemptStatus.REQUESTED
    form = AbandonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤回申请须写明理由" if withdraw else "放弃抽取须写明理由")
        return _back(request, pk)
    back = "campaigns:task_detail" if request.POST.get("back") == "task" else "draws:draw_page"
    asked = confirm_first(
        request,
        Confirmation(
            title="确认撤回重新抽取申请" if withdraw else "确认放弃本次抽取",
            details=[("理由", form.cleaned_data["reason"])],
            consequences=[
                f"撤回第{live.number}次抽取的申请：批准人不能再批准，申请和理由保留在抽取记录中",
                "如仍需重新抽取，须重新提出申请并由另一角色的官员批准",
            ]
            if withdraw
            else [
                f"放弃第{live.number}次抽取：不能再作出承诺、公布秘密值或执行抽取",
                "已作出的承诺和已发布的公告保留并公开，放弃理由记入抽取记录",
                "再次抽取须写明理由并由另一角色的官员批准",
            ],
            button="确认撤回申请" if withdraw else "确认放弃抽取",
            back_url=reverse(back, args=[pk]),
            danger=True,
        ),
    )
    if asked is not None:
        return asked
    try:
        draw_abandon(actor=request.user, attempt=live, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            "已撤回重新抽取申请；记录保留" if withdraw else "已放弃本次抽取；记录保留并公开",
        )
    return _back(request, pk)


def _pending(request: HttpRequest, pk: int) -> tuple[Task, DrawAttempt]:
    task = task_get_for_user(request.user, pk)
    pending = pending_redraw(task)
    if pending is None:
        raise Http404
    return task, pending


@login_required
@require_POST
def redraw_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    _task, pending = _pending(request, pk)
    try:
        approved = draw_redraw_approve(actor=request.user, attempt=pending)
    except (ValidationError, PermissionDenied) as exc:
        show_refusal(request, exc)
    else:
        superseded = approved.supersedes
        messages.success(
            request,
            f"已批准重新抽取：第{superseded.number}次抽取作废并保留，任务回到“已发布”；"
            "请各承诺官员作出承诺，由牵头单位重新发布抽取公告"
            if superseded is not None
            else "已批准重新抽取：请各承诺官员作出承诺",
        )
    return _back(request, pk)


@login_required
@require_POST
def redraw_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    _task, pending = _pending(request, pk)
    form = RefuseForm(request.POST)
    try:
        draw_redraw_refuse(
            actor=request.user,
            attempt=pending,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except (ValidationError, PermissionDenied) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已决定不批准重新抽取；申请和理由保留在抽取记录中")
    return _back(request, pk)


def bundle_response(task: Task) -> HttpResponse:
    """The public bundle of the task's draw as a zip (also served on the public page)."""
    attempt = drawn_attempt(task)
    if attempt is None:
        raise Http404
    filename, data = draw_bundle_zip(attempt)
    return download(data, filename, "application/zip")


@login_required
def bundle_view(request: HttpRequest, pk: int) -> HttpResponse:
    return bundle_response(task_get_for_user(request.user, pk))


def attempt_bundle_response(task: Task, number: int) -> HttpResponse:
    """The bundle of one drawn attempt, a superseded one included (also public)."""
    attempt = task.draw_attempts.filter(number=number).first()
    if attempt is None or not attempt.has_result:
        raise Http404
    filename, data = draw_bundle_zip(attempt)
    return download(data, filename, "application/zip")


@login_required
def attempt_bundle_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return attempt_bundle_response(task_get_for_user(request.user, pk), number)


@login_required
@require_POST
def dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _organised_task(request, pk)
    participants = [p.department.name for p in task.participants.select_related("department")]
    attempt = drawn_attempt(task)
    count = (
        sum(1 for _s, kind, _e in stored_selection(attempt) if kind == "selected")
        if attempt is not None and attempt.result
        else 0
    )
    asked = confirm_first(
        request,
        Confirmation(
            title="确认派发抽取名单",
            consequences=[
                f"把本次抽取的 {count} 户检查对象派发给 {len(participants)} 个参与部门："
                + "、".join(participants),
                "任务进入“部门确认中”，各部门须在2个工作日内完成比对确认，时限即刻起算",
                "派发后名单只能按公告的理由退回并由备选名单替补，不能另行增删",
            ],
            button="确认派发",
            back_url=reverse("draws:draw_page", args=[pk]),
        ),
    )
    if asked is not None:
        return asked
    try:
        objects = draw_dispatch(actor=request.user, task=task)
    except (ValidationError, PermissionDenied) as exc:
        show_refusal(request, exc)
        return redirect("draws:draw_page", pk=pk)
    messages.success(request, f"已派发 {len(objects)} 户，各参与部门须在2个工作日内完成比对确认")
    return redirect("draws:objects", pk=pk)


@login_required
@require_POST
def dispatch_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回派发: the way back from a dispatch that nobody has acted on yet."""
    task = _organised_task(request, pk)
    asked = confirm_first(
        request,
        Confirmation(
            title="确认撤回派发",
            consequences=[
                "撤回已派发的抽取名单，各参与部门不再需要比对确认，已起算的确认时限同时撤销",
                "任务回到“已抽取”，抽取结果不变，可以重新派发",
            ],
            button="确认撤回派发",
            back_url=reverse("draws:objects", args=[pk]),
            irreversible=False,
        ),
    )
    if asked is not None:
        return asked
    try:
        draw_dispatch_withdraw(actor=request.user, task=task)
    except (ValidationError, PermissionDenied) as exc:
        show_refusal(request, exc)
        return redirect("draws:objects", pk=pk)
    messages.success(request, "已撤回派发，任务回到“已抽取”，可以重新派发")
    return redirect("draws:draw_page", pk=pk)


@login_required
def objects_page(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    participants = list(task.participants.select_related("department"))
    attempt = drawn_attempt(task)
    return render(
        request,
        "draws/objects.html",
        {
            "task": task,
            "rows": dispatched_objects(task),
            "participants": participants,
            "organiser": task_can_organise(request.user, task),
            "mine": [p for p in participants if _is_mine(request, p)],
            "reasons": declared_reasons(attempt) if attempt else [],
            "shortfalls": stratum_shortfalls(attempt),
            "replacements": replacement_counts(attempt),
            "withdraw_refusal": dispatch_withdraw_refusal(task),
        },
    )


def _is_mine(request: HttpRequest, participant: TaskDepartment) -> bool:
    allowed = writable_department_ids(request.user)
    return access_department_for_administering(request.user) and (
        allowed is None or participant.department_id in allowed
    )


def _replace_confirmation(task: Task, obj: DrawnObject, form: ReplaceForm) -> Confirmation:
    """The confirmation of 退回并替补, filled from what the service would do now."""
    preview = replacement_preview(obj)
    reason = dict(form.fields["reason"].choices)[form.cleaned_data["reason"]]
    details = [
        ("退回对象", f"{preview['object']} · {preview['stratum']}类"),
        ("退回理由", str(reason)),
        ("情况说明", form.cleaned_data["note"]),
    ]
    consequences = [f"退回 {preview['object']}，该户不再列入本次抽查名单"]
    warnings = []
    if preview["successor"]:
        details.append(("替补对象", preview["successor"]))
        consequences.append(
            f"由 {preview['successor']} 替补：它是{preview['stratum']}类备选名单第"
            f"{preview['number']}位，按抽取公告的规则确定，不能另选"
        )
    else:
        details.append(("替补对象", "无（备选名单已用完）"))
        consequences.append(f"{preview['stratum']}类备选名单已用完，没有对象替补")
        warnings.append(
            f"退回后{preview['stratum']}类只剩 {preview['after']} 户，少于抽取的"
            f" {preview['drawn']} 户；不足的数量不会自动补齐"
        )
    consequences.append("退回理由和情况说明记入抽取记录和审计日志，并在复核数据包中公开")
    return Confirmation(
        title="确认退回并替补",
        details=details,
        consequences=consequences,
        warnings=warnings,
        button="确认退回" + ("并替补" if preview["successor"] else "（无替补）"),
        back_url=reverse("draws:objects", args=[task.pk]),
        danger=True,
    )


@login_required
@require_POST
def replace_view(request: HttpRequest, pk: int, object_pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    obj = (
        DrawnObject.objects.filter(pk=object_pk, attempt__task=task)
        .select_related("attempt__task")
        .first()
    )
    if obj is None:
        raise Http404
    form = ReplaceForm(request.POST, reasons=declared_reasons(obj.attempt))
    try:
        drawn_object_replace_check(
            actor=request.user, obj=obj, expected_state=request.POST.get("state", "")
        )
        if not form.is_valid():
            raise ValidationError(
                [f"{obj.entity_code} 未退回："] + [e for errs in form.errors.values() for e in errs]
            )
        asked = confirm_first(request, _replace_confirmation(task, obj, form))
        if asked is not None:
            return asked
        successor = drawn_object_replace(
            actor=request.user,
            obj=obj,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            expected_state=form.cleaned_data["state"],
        )
    except (ValidationError, PermissionDenied, DrawError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            f"已退回 {obj.entity_code}，由备选名单 {successor.entity_code} 替补"
            if successor
            else f"已退回 {obj.entity_code}；{obj.stratum}类备选名单已用完，未替补，"
            f"该类少于抽取数量",
        )
    return redirect("draws:objects", pk=pk)


@login_required
@require_POST
def confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    on_behalf = None
    if request.POST.get("on_behalf"):
        on_behalf = task.participants.filter(pk=request.POST["on_behalf"]).first()
        if on_behalf is None:
            raise Http404
    mine = [p for p in task.participants.select_related("department") if _is_mine(request, p)]
    who = (
        on_behalf.department.name if on_behalf else (mine[0].department.name if mine else "本部门")
    )
    asked = confirm_first(
        request,
        Confirmation(
            title=f"确认{who}的派发名单",
            details=[("代为确认理由", request.POST.get("reason", ""))] if on_behalf else [],
            consequences=[
                f"{who}的比对确认时限完成，确认不能撤回"
                + ("；由牵头单位代为确认，理由公开" if on_behalf else ""),
                "各部门均确认后，仍待确认的对象记为“已确认”，不能再退回",
                "各参与部门均确认后，任务进入“已确认”，可以开始编组",
            ],
            button="确认名单",
            back_url=reverse("draws:objects", args=[pk]),
        ),
    )
    if asked is not None:
        return asked
    try:
        confirmed = department_confirm(
            actor=request.user,
            task=task,
            on_behalf_of=on_behalf,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"{confirmed.department.name}已确认派发名单")
    return redirect("draws:objects", pk=pk)


# ---------------------------------------------------------------- grouping and claims


@login_required
@require_POST
def grouping_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _organised_task(request, pk)
    try:
        grouping_start(actor=request.user, task=task)
    except (ValidationError, PermissionDenied, DomainError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已开始编组：请各参与部门认领检查对象并抽取执法人员")
    return redirect("campaigns:task_detail", pk=pk)


@login_required
@require_POST
def claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    raw = request.POST.get("department", "")
    try:
        claim = department_claim(
            actor=request.user, task=task, department_id=int(raw) if raw.isdigit() else None
        )
    except (ValidationError, PermissionDenied, DrawError) as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            f"{claim.department.name}已认领 {len(claim.entity_codes)} 户检查对象，"
            f"抽取执法检查人员 {len(claim.certificates)} 名",
        )
    return redirect("campaigns:task_detail", pk=pk)
