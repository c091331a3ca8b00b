"""The draw ceremony: prepare → commit → announce → reveal → draw, every step audited.

The protocol is DRAW-v1 (docs/draw-spec.md).  No draw runs without a prior
announcement; a reveal that does not open its commitment is refused; every attempt
is kept, and a second attempt needs a written reason and the approval of an official
of another role (spotcheck.draws.redraws).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.access.gates import access_tasks_for_organising
from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import task_transition
from spotcheck.core.draw import (
    Announcement,
    AvoidanceCommitment,
    DrawError,
    FrozenFrame,
    FrozenPool,
    PublicSource,
    announce,
    check_reveal,
    commit_avoidance,
    commitment,
    freeze_frame,
    freeze_pool,
)
from spotcheck.core.draw.drand import KNOWN_CHAINS
from spotcheck.core.draw.errors import RevealMismatchError
from spotcheck.draws.attempts import drawn_for, locked
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.inputs import task_inputs
from spotcheck.draws.models import DrawAttempt, DrawOfficial
from spotcheck.draws.outcomes import rerun
from spotcheck.draws.redraws import check_redraw_approver, refuse_redraw_after_matching
from spotcheck.draws.sources import (
    checked_drand_round,
    declared_sources,
    refuse_published_round,
)
from spotcheck.draws.storage import store_frozen_inputs, store_outcome

# ---------------------------------------------------------------- prepare


def _check_sources(primary: PublicSource | None, fallback: PublicSource | None) -> None:
    """Refuse a fallback without a primary, an unknown drand chain, a published round."""
    if fallback is not None and primary is None:
        raise ValidationError({"primary": "声明备用公共随机源前须先声明主公共随机源"})
    for role, source in (("primary", primary), ("fallback", fallback)):
        if source is not None and source.kind == "drand" and source.chain_hash not in KNOWN_CHAINS:
            raise ValidationError({role: "平台只能核验drand主网quicknet和default链的签名"})
        if source is not None:
            refuse_published_round(source, timezone.now(), role)


def _check_no_live_attempt(latest: DrawAttempt | None) -> None:
    """One attempt at a time: refuse while a request waits or an attempt is under way."""
    if latest is not None and latest.status == AttemptStatus.REQUESTED:
        raise ValidationError(
            f"第{latest.number}次抽取（重新抽取申请）正待{latest.approved_by}批准，"
            "不能再次申请；须待批准人决定，或先撤回该申请"
        )
    if latest is not None and latest.status in (AttemptStatus.COMMITTING, AttemptStatus.ANNOUNCED):
        raise ValidationError("本任务已有进行中的抽取，须先放弃该次抽取")


def _drawn_to_supersede(task: Task, latest: DrawAttempt | None) -> DrawAttempt | None:
    """The drawn attempt a redraw of a drawn task would supersede (None on 已发布)."""
    if task.state == TaskState.PUBLISHED:
        return None
    if latest is None or task.state == TaskState.DRAFT:
        raise ValidationError("只有“已发布”的任务可以准备抽取")
    refuse_redraw_after_matching(task)
    return drawn_for(task)


def _check_officials(task: Task, officials: Sequence[User]) -> None:
    """At least two officials, of different departments that take part in the task."""
    departments = {o.department_id for o in officials if o.department_id}
    if len(officials) < 2 or len(departments) < 2:
        raise ValidationError({"officials": "至少需要两名来自不同部门的官员作出承诺"})
    # the draw specification (§5) admits only commitments of the task's own departments
    participating = set(task.participants.values_list("department_id", flat=True))
    outsiders = [str(o) for o in officials if o.department_id not in participating]
    if outsiders:
        raise ValidationError(
            {"officials": f"{'、'.join(outsiders)}所在部门未参与本任务，不能作出承诺"}
        )


def _check_redraw_request(actor: User, redraw_reason: str, approved_by: User | None) -> None:
    """An attempt after the first is a redraw request: a written reason, a valid approver."""
    if not redraw_reason.strip():
        raise ValidationError({"redraw_reason": "重新抽取须写明理由"})
    check_redraw_approver(actor, approved_by)


def _name_officials(attempt: DrawAttempt, officials: Sequence[User]) -> None:
    """Number the officials: the bundle names them 官员1, 官员2 …, never by login name."""
    ordered = sorted(officials, key=lambda o: (o.department.path, o.pk))
    for number, official in enumerate(ordered, start=1):
        DrawOfficial.objects.create(
            attempt=attempt,
            user=official,
            department=official.department,
            public_id=f"官员{number}",
        )


@transaction.atomic
def draw_prepare(
    *,
    actor: User,
    task: Task,
    officials: Sequence[User],
    redraw_reason: str = "",
    approved_by: User | None = None,
    primary: PublicSource | None = None,
    fallback: PublicSource | None = None,
) -> DrawAttempt:
    """Open an attempt and name the officials (≥2, of different departments) who commit.

    ``primary`` names a future public value (an official lottery draw, a drand round)
    that must exist before the draw; ``fallback`` is the declared value to use if the
    primary is cancelled.  Both are fixed in the announcement.

    Any attempt after the first is a redraw request: it needs a written reason and names
    an official of another role, and collects no commitment until that official approves
    it (``draw_redraw_approve``).  On a drawn task it may be asked for in 已确认 or 编组中,
    before matching; the approval then supersedes the drawn attempt.
    """
    _check_sources(primary, fallback)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以组织抽取")
    latest = task.draw_attempts.order_by("-number").first()
    _check_no_live_attempt(latest)
    current = _drawn_to_supersede(task, latest)
    _check_officials(task, officials)
    if latest is not None:
        _check_redraw_request(actor, redraw_reason, approved_by)
    attempt = DrawAttempt.objects.create(
        task=task,
        number=(latest.number + 1) if latest else 1,
        status=AttemptStatus.REQUESTED if latest else AttemptStatus.COMMITTING,
        created_by=actor,
        redraw_reason=redraw_reason.strip(),
        approved_by=approved_by if latest else None,
        supersedes=current,
        primary_source={
            "primary": primary.as_json() if primary else None,
            "fallback": fallback.as_json() if fallback else None,
        },
    )
    _name_officials(attempt, officials)
    audit_record(
        actor=actor,
        event_type=events.DRAW_REDRAW_REQUESTED if latest else events.DRAW_PREPARED,
        target=task,
        data={
            "attempt": attempt.number,
            "officials": [o.username for o in officials],
            "redraw_reason": attempt.redraw_reason,
            "approved_by": approved_by.username if approved_by and latest else None,
            "approver_name": str(approved_by) if approved_by and latest else None,
            "supersedes": current.number if current else None,
        },
    )
    return attempt


# ---------------------------------------------------------------- commit and announce


def _commitment_made(
    official: DrawOfficial, secret: bytes | None, commitment_hash: bytes | None
) -> bytes:
    """The commitment handed in, or computed from the secret handed in (one of the two)."""
    if secret is not None and commitment_hash is not None:
        raise ValidationError("承诺值和秘密值只填一项")
    if secret is not None:
        return commitment(secret, official.official_id)
    if commitment_hash is None or len(commitment_hash) != 32:
        raise ValidationError("须提交64位十六进制的承诺值")
    return commitment_hash


@transaction.atomic
def draw_commit(
    *,
    actor: User,
    attempt: DrawAttempt,
    secret: bytes | None = None,
    commitment_hash: bytes | None = None,
) -> DrawOfficial:
    """Record an official's commitment SHA-256(secret ‖ official id); no secret is kept.

    The page's script makes the secret in the official's browser and sends only
    ``commitment_hash``, so the platform never sees the secret before the reveal.  An
    official may instead hand in a ``secret`` (the manual way): the platform then computes
    the commitment and forgets the secret; the audit record says which way it came.
    """
    attempt = locked(attempt)
    if attempt.status == AttemptStatus.REQUESTED:
        raise ValidationError(f"重新抽取申请尚未经{attempt.approved_by}批准，不能作出承诺")
    if attempt.status != AttemptStatus.COMMITTING:
        raise ValidationError("公告已发布，不能再作出承诺")
    official = attempt.officials.filter(user=actor).first()
    if official is None:
        raise PermissionDenied("您不是本次抽取的承诺官员")
    if official.commitment:
        raise ValidationError("您已作出承诺，不能更改")
    official.commitment = _commitment_made(official, secret, commitment_hash).hex()
    official.committed_at = timezone.now()
    official.save(update_fields=["commitment", "committed_at"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_COMMITTED,
        target=attempt.task,
        data={
            "attempt": attempt.number,
            "commitment": official.commitment,
            "computed_by_platform": secret is not None,
        },
    )
    return official


def _committed_officials(actor: User, attempt: DrawAttempt, now: dt.datetime) -> list[DrawOfficial]:
    """The attempt's officials, once the organiser may announce and every one committed."""
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以发布抽取公告")
    officials = list(attempt.officials.select_related("user", "department"))
    missing = [str(o.user) for o in officials if not o.commitment]
    if missing:
        raise ValidationError(f"以下官员尚未作出承诺：{'、'.join(missing)}")
    for source in declared_sources(attempt).values():
        if source is not None:
            refuse_published_round(source, now, None, announcing=True)
    return officials


def _announcement(
    attempt: DrawAttempt, officials: list[DrawOfficial], now: dt.datetime
) -> tuple[Announcement, FrozenFrame, FrozenPool, AvoidanceCommitment]:
    """Freeze the task's frame, pool and avoidance list and write the announcement."""
    inputs = task_inputs(attempt.task)
    if not inputs.candidates:
        raise ValidationError("抽查对象范围内没有可抽取的对象，请检查任务的对象范围")
    frame = freeze_frame(inputs.candidates)
    pool = freeze_pool(inputs.pool)
    avoidance = commit_avoidance(inputs.avoidance)
    ann = announce(
        task_id=attempt.task.number,
        announced_at=now.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds"),
        draw_date=timezone.localdate().isoformat(),
        departments=inputs.departments,
        items=inputs.items,
        plan=inputs.plan,
        frame=frame,
        exclusions=inputs.exclusions,
        pool=pool,
        avoidance=avoidance,
        commitments=[o.as_commitment() for o in officials],
        **declared_sources(attempt),
    )
    return ann, frame, pool, avoidance


@transaction.atomic
def draw_announce(*, actor: User, attempt: DrawAttempt) -> DrawAttempt:
    """Freeze the frame, the pool and the avoidance list and publish the announcement."""
    attempt = locked(attempt)
    task = attempt.task
    now = timezone.now()
    officials = _committed_officials(actor, attempt, now)
    attempt.move(AttemptStatus.ANNOUNCED)
    ann, frame, pool, avoidance = _announcement(attempt, officials, now)
    store_frozen_inputs(attempt, frame, pool, avoidance)
    attempt.announcement = ann.to_bytes().decode("utf-8")
    attempt.announcement_sha256 = ann.sha256().hex()
    attempt.announced_at = now
    attempt.save()
    task_transition(actor=actor, task=task, to=TaskState.ANNOUNCED, step="announce")
    audit_record(
        actor=actor,
        event_type=events.DRAW_ANNOUNCED,
        target=task,
        data={
            "attempt": attempt.number,
            "announcement_sha256": attempt.announcement_sha256,
            "frame_root": ann.frame_root.hex(),
            "frame_count": ann.frame_count,
            "pool_root": ann.pool_root.hex(),
            "strata": dict(ann.strata),
        },
    )
    return attempt


# ---------------------------------------------------------------- reveal and draw


@transaction.atomic
def draw_reveal(*, actor: User, attempt: DrawAttempt, secret: bytes) -> DrawOfficial:
    """Accept an official's secret only if it opens the published commitment."""
    attempt = locked(attempt)
    if attempt.status != AttemptStatus.ANNOUNCED:
        raise ValidationError("只有公告后、抽取前可以公布秘密值")
    official = attempt.officials.filter(user=actor).first()
    if official is None:
        raise PermissionDenied("您不是本次抽取的承诺官员")
    if official.secret:
        raise ValidationError("您已公布秘密值")
    try:
        check_reveal(bytes.fromhex(official.commitment), secret, official.official_id)
    except RevealMismatchError:  # the engine names the login; officials read the name
        raise RevealMismatchError(
            f"{actor.display_name or '您'}公布的秘密值与其承诺不符，拒绝接受。"
            "请核对作出承诺时保存的秘密值后重新公布"
        ) from None
    official.secret = secret.hex()
    official.revealed_at = timezone.now()
    official.save(update_fields=["secret", "revealed_at"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_REVEALED,
        target=attempt.task,
        data={"attempt": attempt.number, "secret": official.secret},
    )
    return official


def _check_ready_to_draw(actor: User, attempt: DrawAttempt) -> None:
    """The organiser draws once, after every official revealed."""
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以执行抽取")
    if attempt.status == AttemptStatus.DRAWN:
        raise ValidationError("本次抽取已经完成，不会重复抽取")
    missing = [str(o.user) for o in attempt.officials.select_related("user") if not o.secret]
    if missing:
        raise ValidationError(f"以下官员尚未公布秘密值：{'、'.join(missing)}")


def _take_public_value(
    attempt: DrawAttempt, public_value: str, used: str, signature: str, previous_signature: str
) -> None:
    """Record the published value of the declared source used (nothing if none declared)."""
    sources = declared_sources(attempt)
    if sources["primary"] is None:
        return
    source = sources.get(used)
    if source is None:
        raise ValidationError({"used": "公告没有声明该公共随机源"})
    attempt.public_value_used = used
    if source.kind == "drand":
        attempt.public_value, attempt.drand_signature, attempt.drand_previous_signature = (
            checked_drand_round(source, public_value, signature, previous_signature)
        )
    else:
        if not public_value.strip():
            raise ValidationError({"public_value": "公告声明了公共随机源，须填写其公布的结果"})
        attempt.public_value = public_value.strip()


@transaction.atomic
def draw_run(
    *,
    actor: User,
    attempt: DrawAttempt,
    public_value: str = "",
    used: str = "primary",
    signature: str = "",
    previous_signature: str = "",
) -> DrawAttempt:
    """Derive the seed from the published inputs and draw; a second click draws nothing.

    When the announcement named a public value, ``public_value`` is its published
    result (a lottery draw in RFC 3797 form, e.g. "3.7.12.19.25.33./9./") and ``used``
    says whether it is the primary or the declared fallback source.  For a drand round
    ``signature`` is the round's signature (and ``previous_signature`` the previous
    round's, on the chained default network); ``public_value``, the randomness, may be
    left empty as it is SHA-256 of the signature.  The signature must verify against
    the chain's public key, or nothing is drawn.
    """
    attempt = locked(attempt)
    _check_ready_to_draw(actor, attempt)
    _take_public_value(attempt, public_value, used, signature, previous_signature)
    attempt.move(AttemptStatus.DRAWN)
    try:
        outcome = rerun(attempt)
    except DrawError as exc:  # includes a public value that does not fit its source
        raise ValidationError(f"抽取失败：{exc}") from exc
    files = outcome.files()
    store_outcome(attempt, files, outcome)
    attempt.seed = outcome.seed.hex()
    attempt.result = files["result.json"].decode("utf-8")
    attempt.drawn_at = timezone.now()
    attempt.save()
    task_transition(actor=actor, task=attempt.task, to=TaskState.DRAWN, step="draw")
    audit_record(
        actor=actor,
        event_type=events.DRAW_EXECUTED,
        target=attempt.task,
        data={
            "attempt": attempt.number,
            "seed": attempt.seed,
            "selected": outcome.selection.selected_ids(),
            "reserve": outcome.selection.reserve_ids(),
        },
    )
    return attempt


@transaction.atomic
def draw_abandon(*, actor: User, attempt: DrawAttempt, reason: str) -> DrawAttempt:
    """Give up an attempt that cannot finish (an official cannot reveal …); it stays visible."""
    attempt = locked(attempt)
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以放弃抽取")
    if not reason.strip():
        raise ValidationError({"reason": "放弃抽取须写明理由"})
    attempt.move(AttemptStatus.ABANDONED)
    attempt.abandoned_reason = reason.strip()
    attempt.save(update_fields=["status", "abandoned_reason"])
    if attempt.task.state == TaskState.ANNOUNCED:
        # the announcement is void; the task goes back to 已发布 for a new, visible attempt
        task_transition(
            actor=actor, task=attempt.task, to=TaskState.PUBLISHED, note=reason, step="abandon"
        )
    audit_record(
        actor=actor,
        event_type=events.DRAW_ABANDONED,
        target=attempt.task,
        data={"attempt": attempt.number, "reason": attempt.abandoned_reason},
    )
    return attempt
