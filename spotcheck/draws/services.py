"""Writes of the draw: commit → announce → reveal → draw, every step audited.

The protocol is DRAW-v1 (docs/draw-spec.md).  No draw runs without a prior
announcement; a reveal that does not open its commitment is refused; every attempt
is kept, and a second attempt needs a written reason and the approval of an official
of another role.  Before matching, an approved redraw supersedes a drawn attempt
(docs/domain/redraw.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.campaigns.services import task_transition
from spotcheck.core import taskflow
from spotcheck.core.draw import (
    Announcement,
    DrawError,
    DrawOutcome,
    FrozenFrame,
    FrozenPool,
    PublicSource,
    PublicValue,
    Reveal,
    announce,
    check_reveal,
    commit_avoidance,
    commitment,
    freeze_frame,
    freeze_pool,
    run_draw,
    write_bundle,
)
from spotcheck.core.draw.canonical import (
    lines_bytes,
    parse_frame_line,
    parse_pool_line,
    split_lines,
)
from spotcheck.core.draw.commit import AvoidancePair
from spotcheck.core.draw.drand import KNOWN_CHAINS, SCHEME_CHAINED, DrandBeacon, verify_beacon
from spotcheck.core.draw.errors import MalformedInputError, RevealMismatchError
from spotcheck.core.draw.final import FinalMatching, Replacement, final_matching
from spotcheck.core.errors import DomainError
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import deadline_complete
from spotcheck.draws.inputs import task_inputs
from spotcheck.draws.models import (
    ATTEMPT_TRANSITIONS,
    AttemptStatus,
    DepartmentClaim,
    DrawAttempt,
    DrawnObject,
    DrawOfficial,
    ObjectState,
    ReplacementReason,
)

_ORGANISERS = (Role.LEAD_ADMIN, Role.PLATFORM_ADMIN)


def _move(attempt: DrawAttempt, to: str) -> None:
    if to not in ATTEMPT_TRANSITIONS[attempt.status]:
        raise ValidationError(
            f"该次抽取处于“{attempt.get_status_display()}”，不能变为“{AttemptStatus(to).label}”"
        )
    attempt.status = to


def _locked(attempt: DrawAttempt) -> DrawAttempt:
    return DrawAttempt.objects.select_for_update().select_related("task").get(pk=attempt.pk)


def _refused(exc: DomainError, field: str | None = None) -> ValidationError:
    return ValidationError({field: str(exc)} if field else str(exc))


def _check_approver(requester: User, approver: User | None) -> None:
    """The one rule for every redraw: an approver of another role, never the requester."""
    if approver is None:
        raise ValidationError({"approved_by": "重新抽取须由另一角色的官员批准"})
    try:
        taskflow.check_redraw_approval(
            requester=requester.username,
            requester_role=requester.role,
            approver=approver.username,
            approver_role=approver.role,
        )
    except taskflow.RedrawRefused as exc:
        raise _refused(exc, "approved_by") from exc


def _refuse_after_matching(task: Task) -> None:
    """Matching generated the records from this draw: no redraw can take it back."""
    try:
        taskflow.check_redraw_state(task.state)
    except taskflow.RedrawRefused as exc:
        raise _refused(exc) from exc
    if task.records.exists():
        raise ValidationError(
            "本任务已生成一企一表，不能重新抽取：记录表已按本次抽取结果生成，"
            "重新抽取会使这些记录失去依据。"
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
    if fallback is not None and primary is None:
        raise ValidationError({"primary": "声明备用公共随机源前须先声明主公共随机源"})
    for role, source in (("primary", primary), ("fallback", fallback)):
        if source is not None and source.kind == "drand" and source.chain_hash not in KNOWN_CHAINS:
            raise ValidationError({role: "平台只能核验drand主网quicknet和default链的签名"})
        if source is not None:
            _refuse_published_round(source, timezone.now(), role)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以组织抽取")
    latest = task.draw_attempts.order_by("-number").first()
    if latest is not None and latest.status == AttemptStatus.REQUESTED:
        raise ValidationError(
            f"第{latest.number}次抽取（重新抽取申请）正待{latest.approved_by}批准，"
            "不能再次申请；须待批准人决定，或先撤回该申请"
        )
    if latest is not None and latest.status in (AttemptStatus.COMMITTING, AttemptStatus.ANNOUNCED):
        raise ValidationError("本任务已有进行中的抽取，须先放弃该次抽取")
    current = None
    if task.state != TaskState.PUBLISHED:
        if latest is None or task.state == TaskState.DRAFT:
            raise ValidationError("只有“已发布”的任务可以准备抽取")
        _refuse_after_matching(task)
        current = _drawn_for(task)
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
    if latest is not None:
        if not redraw_reason.strip():
            raise ValidationError({"redraw_reason": "重新抽取须写明理由"})
        _check_approver(actor, approved_by)
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
    # the bundle names officials by number, never by login name; the pages show their names
    ordered = sorted(officials, key=lambda o: (o.department.path, o.pk))
    for number, official in enumerate(ordered, start=1):
        DrawOfficial.objects.create(
            attempt=attempt,
            user=official,
            department=official.department,
            public_id=f"官员{number}",
        )
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


def _requested(actor: User, attempt: DrawAttempt) -> DrawAttempt:
    """Lock a redraw request that the named approver is about to decide."""
    attempt = _locked(attempt)
    if attempt.status != AttemptStatus.REQUESTED:
        decided = {
            AttemptStatus.REFUSED: "已决定不予批准",
            AttemptStatus.ABANDONED: "已由牵头单位撤回",
        }.get(attempt.status, "已经批准")
        raise ValidationError(f"第{attempt.number}次抽取的重新抽取申请{decided}，不会重复处理")
    if attempt.approved_by_id != actor.pk:
        raise PermissionDenied(f"只有申请中指定的批准人（{attempt.approved_by}）可以批准或不批准")
    return attempt


def _supersede(task: Task, attempt: DrawAttempt) -> DrawAttempt:
    """Supersede the drawn attempt a request names; its claims and confirmations stay."""
    _refuse_after_matching(task)
    current = _drawn_for(task)
    if attempt.supersedes_id != current.pk:
        raise ValidationError("申请作废的抽取已不是本任务当前的抽取结果，请重新申请")
    current = _locked(current)
    current.confirmations = [
        {"department": p.department.name, "confirmed_at": p.confirmed_at.isoformat()}
        for p in task.participants.select_related("department")
        if p.confirmed_at is not None
    ]
    # the next attempt is dispatched afresh, and every department confirms its new list
    TaskDepartment.objects.filter(task=task).update(confirmed_at=None)
    _move(current, AttemptStatus.SUPERSEDED)
    current.superseded_at = timezone.now()
    current.save(update_fields=["status", "confirmations", "superseded_at"])
    return current


@transaction.atomic
def draw_redraw_approve(*, actor: User, attempt: DrawAttempt) -> DrawAttempt:
    """The official named in a redraw request approves it; a second click does nothing.

    On a drawn task (已确认 or 编组中) the drawn attempt becomes superseded: it is kept
    with its dispatched objects, replacements, claims and the departments' confirmations,
    and its bundle still verifies; the task goes back to 已发布 for a new announcement.
    """
    task = Task.objects.select_for_update().get(pk=attempt.task_id)
    attempt = _requested(actor, attempt)
    _check_approver(attempt.created_by, actor)
    superseded = _supersede(task, attempt) if attempt.supersedes_id is not None else None
    _move(attempt, AttemptStatus.COMMITTING)
    attempt.approved_at = timezone.now()
    attempt.save(update_fields=["status", "approved_at"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_REDRAW_APPROVED,
        target=task,
        data={
            "attempt": attempt.number,
            "reason": attempt.redraw_reason,
            "requested_by": attempt.created_by.username,
            "superseded": superseded.number if superseded else None,
            "claims": sorted(superseded.claims.values_list("department__name", flat=True))
            if superseded
            else [],
            "confirmations": superseded.confirmations if superseded else [],
        },
    )
    if superseded is not None:
        task_transition(
            actor=None,
            task=task,
            to=TaskState.PUBLISHED,
            note=f"经批准重新抽取，第{superseded.number}次抽取作废",
            step="redraw",
        )
    return attempt


@transaction.atomic
def draw_redraw_refuse(*, actor: User, attempt: DrawAttempt, reason: str) -> DrawAttempt:
    """The official named in a redraw request refuses it, in writing; nothing else changes."""
    attempt = _requested(actor, attempt)
    if not reason.strip():
        raise ValidationError({"reason": "不批准须写明理由"})
    _move(attempt, AttemptStatus.REFUSED)
    attempt.refused_reason = reason.strip()
    attempt.save(update_fields=["status", "refused_reason"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_REDRAW_REFUSED,
        target=attempt.task,
        data={"attempt": attempt.number, "reason": attempt.refused_reason},
    )
    return attempt


@transaction.atomic
def draw_commit(*, actor: User, attempt: DrawAttempt, secret: bytes) -> DrawOfficial:
    """Record an official's commitment SHA-256(secret ‖ login); the secret is not kept."""
    attempt = _locked(attempt)
    if attempt.status == AttemptStatus.REQUESTED:
        raise ValidationError(f"重新抽取申请尚未经{attempt.approved_by}批准，不能作出承诺")
    if attempt.status != AttemptStatus.COMMITTING:
        raise ValidationError("公告已发布，不能再作出承诺")
    official = attempt.officials.filter(user=actor).first()
    if official is None:
        raise PermissionDenied("您不是本次抽取的承诺官员")
    if official.commitment:
        raise ValidationError("您已作出承诺，不能更改")
    official.commitment = commitment(secret, official.official_id).hex()
    official.committed_at = timezone.now()
    official.save(update_fields=["commitment", "committed_at"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_COMMITTED,
        target=attempt.task,
        data={"attempt": attempt.number, "commitment": official.commitment},
    )
    return official


def _store(attempt: DrawAttempt, name: str, data: bytes) -> None:
    path = f"{attempt.files_dir}/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))


DRAWN_FRAME = "drawn_frame.tsv"  # private copy; not part of the bundle


def stored_drawn_frame(attempt: DrawAttempt) -> bytes:
    """The frame rows of the attempt's selected and reserve entities (all of them for an
    attempt drawn before this file was kept)."""
    path = f"{attempt.files_dir}/{DRAWN_FRAME}"
    return _load(attempt, DRAWN_FRAME if default_storage.exists(path) else "frame.tsv")


def _load(attempt: DrawAttempt, name: str) -> bytes:
    with default_storage.open(f"{attempt.files_dir}/{name}", "rb") as handle:
        data: bytes = handle.read()
    return data


@transaction.atomic
def draw_announce(*, actor: User, attempt: DrawAttempt) -> DrawAttempt:
    """Freeze the frame, the pool and the avoidance list and publish the announcement."""
    attempt = _locked(attempt)
    task = attempt.task
    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以发布抽取公告")
    officials = list(attempt.officials.select_related("user", "department"))
    missing = [str(o.user) for o in officials if not o.commitment]
    if missing:
        raise ValidationError(f"以下官员尚未作出承诺：{'、'.join(missing)}")
    now = timezone.now()
    for source in _sources(attempt).values():
        if source is not None:
            _refuse_published_round(source, now, None, announcing=True)
    _move(attempt, AttemptStatus.ANNOUNCED)
    inputs = task_inputs(task)
    if not inputs.candidates:
        raise ValidationError("抽查对象范围内没有可抽取的对象，请检查任务的对象范围")
    frame = freeze_frame(inputs.candidates)
    pool = freeze_pool(inputs.pool)
    avoidance = commit_avoidance(inputs.avoidance)
    ann = announce(
        task_id=task.number,
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
        **_sources(attempt),
    )
    _store(attempt, "frame.tsv", frame.file())
    _store(attempt, "pool.tsv", pool.file())
    _store(attempt, "avoidance.tsv", avoidance.leaves_file())
    _store(  # private: the salts open the avoidance list and never leave the platform whole
        attempt,
        "avoidance_private.tsv",
        b"".join(p.opening_line() + b"\n" for p in avoidance.pairs),
    )
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


@transaction.atomic
def draw_reveal(*, actor: User, attempt: DrawAttempt, secret: bytes) -> DrawOfficial:
    """Accept an official's secret only if it opens the published commitment."""
    attempt = _locked(attempt)
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


def stored_selection(attempt: DrawAttempt) -> list[tuple[str, str, str]]:
    """Read the stored selection.tsv: (stratum, "selected"/"reserve", entity id), in rank order.

    Pages read the stored result instead of re-running the draw; ``draw_verify`` checks
    that the stored files are what the draw computes.
    """
    rows = []
    for line in split_lines(_load(attempt, "selection.tsv"), "selection.tsv"):
        stratum, kind, _position, entity_id, _rank = line.decode("utf-8").split("\t")
        rows.append((stratum, kind, entity_id))
    return rows


def stored_groups(
    attempt: DrawAttempt, name: str = "groups.tsv"
) -> dict[str, list[tuple[int, str, str]]]:
    """Read the stored groups.tsv (or final_groups.tsv): entity id → [(seat, department,
    执法证号)], leader first."""
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for line in split_lines(_load(attempt, name), name):
        _pos, entity_id, slot, department, certificate_no, _role, _covers = line.decode(
            "utf-8"
        ).split("\t")
        groups.setdefault(entity_id, []).append((int(slot), department, certificate_no))
    return {e: sorted(members) for e, members in groups.items()}


def frozen_inputs(
    attempt: DrawAttempt,
) -> tuple[Announcement, FrozenFrame, FrozenPool, list[bytes], list[AvoidancePair]]:
    """Read back what the announcement froze (for the draw, the bundle and re-verification)."""
    ann = Announcement.from_json(json.loads(attempt.announcement))
    frame = freeze_frame(
        parse_frame_line(x) for x in split_lines(_load(attempt, "frame.tsv"), "frame.tsv")
    )
    pool = freeze_pool(
        parse_pool_line(x) for x in split_lines(_load(attempt, "pool.tsv"), "pool.tsv")
    )
    leaves = split_lines(_load(attempt, "avoidance.tsv"), "avoidance.tsv")
    pairs = []
    for line in split_lines(_load(attempt, "avoidance_private.tsv"), "avoidance_private.tsv"):
        entity_id, certificate_no, salt = line.decode("utf-8").split("\t")
        pairs.append(AvoidancePair(entity_id, certificate_no, bytes.fromhex(salt)))
    return ann, frame, pool, leaves, pairs


def _sources(attempt: DrawAttempt) -> dict[str, PublicSource | None]:
    declared = attempt.primary_source or {}
    return {
        role: PublicSource.from_json(declared[role]) if declared.get(role) else None
        for role in ("primary", "fallback")
    }


def _public_value(attempt: DrawAttempt) -> PublicValue:
    if attempt.public_value_used == "none":
        return PublicValue()
    source = _sources(attempt).get(attempt.public_value_used)
    if source is not None and source.kind == "drand":
        chain = KNOWN_CHAINS.get(source.chain_hash)
        return PublicValue(
            attempt.public_value_used,
            bytes.fromhex(attempt.public_value),
            bytes.fromhex(attempt.drand_signature),
            drand=(
                DrandBeacon(chain, bytes.fromhex(attempt.drand_previous_signature))
                if chain is not None
                else None
            ),
        )
    return PublicValue(attempt.public_value_used, attempt.public_value.encode("utf-8"))


_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def _refuse_published_round(
    source: PublicSource, now: dt.datetime, field: str | None, *, announcing: bool = False
) -> None:
    """A drand round is unpredictable only until it is published: refuse one that already
    was when it is named, or by the time the announcement that fixes it goes out."""
    chain = KNOWN_CHAINS.get(source.chain_hash) if source.kind == "drand" else None
    if chain is None:
        return
    published = chain.round_time(source.round)
    if published > now.timestamp():
        return
    at = dt.datetime.fromtimestamp(published, tz=dt.UTC).astimezone(timezone.get_current_timezone())
    latest = chain.latest_round(now.timestamp())
    later = latest + -(-24 * 3600 // chain.period)  # about a day ahead
    message = (
        f"drand {chain.beacon_id}链第{source.round}轮已于{at:%Y-%m-%d %H:%M:%S}产生，"
        f"{'早于本次公告' if announcing else '已是公开的数值'}，不能作为不可预知的公共随机源"
        f"（目前最新为第{latest}轮；如约一天后产生的第{later}轮）。"
    )
    if announcing:
        message += "请放弃本次抽取，重新准备并声明公告之后才产生的轮次"
        raise ValidationError(message)
    raise ValidationError({field: message + "请声明公告之后才产生的轮次"} if field else message)


def _drand_round(
    source: PublicSource, randomness: str, signature: str, previous_signature: str
) -> tuple[str, str, str]:
    """Check a drand round as the official entered it; return (randomness, signature,
    previous signature) in lowercase hex, or refuse it with the reason."""
    chain = KNOWN_CHAINS.get(source.chain_hash)
    if chain is None:
        raise ValidationError("平台只能核验drand主网quicknet和default链的签名")
    randomness, signature, previous_signature = (
        "".join(x.split()).lower() for x in (randomness, signature, previous_signature)
    )
    if not _HEX.fullmatch(signature):
        raise ValidationError({"signature": "须填写drand该轮的签名（十六进制字符）"})
    value = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    if randomness and randomness != value:
        raise ValidationError({"public_value": "随机值与签名不符：drand的随机值是签名的SHA-256"})
    chained = chain.scheme == SCHEME_CHAINED
    if chained and not _HEX.fullmatch(previous_signature):
        raise ValidationError(
            {"previous_signature": "default链是链式的，须填写前一轮签名（十六进制字符）"}
        )
    if not chained and previous_signature:
        raise ValidationError({"previous_signature": "quicknet不是链式的，不需要前一轮签名"})
    try:
        verify_beacon(
            DrandBeacon(chain, bytes.fromhex(previous_signature)),
            source.chain_hash,
            source.round,
            bytes.fromhex(signature),
            bytes.fromhex(value),
        )
    except MalformedInputError:
        raise ValidationError(
            {"signature": "drand签名格式错误：不是有效的BLS签名，请从drand原样复制"}
        ) from None
    except RevealMismatchError:
        raise ValidationError(
            {
                "signature": f"drand签名验证失败：不是drand {chain.beacon_id}链第{source.round}轮"
                "的签名，已拒绝。请核对轮次、签名和前一轮签名"
            }
        ) from None
    return value, signature, previous_signature


def reveals_of(attempt: DrawAttempt) -> list[Reveal]:
    return [
        Reveal(o.official_id, bytes.fromhex(o.secret))
        for o in attempt.officials.select_related("user")
        if o.secret
    ]


def rerun(attempt: DrawAttempt) -> DrawOutcome:
    """Run DRAW-v1 on an attempt's frozen inputs and published reveals."""
    ann, frame, pool, leaves, pairs = frozen_inputs(attempt)
    return run_draw(
        announcement=ann,
        frame=frame,
        pool=pool,
        avoidance_leaves=leaves,
        avoidance_pairs=pairs,
        reveals=reveals_of(attempt),
        public_value=_public_value(attempt),
        jobs=settings.DRAW_JOBS,
    )


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
    attempt = _locked(attempt)
    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以执行抽取")
    if attempt.status == AttemptStatus.DRAWN:
        raise ValidationError("本次抽取已经完成，不会重复抽取")
    missing = [str(o.user) for o in attempt.officials.select_related("user") if not o.secret]
    if missing:
        raise ValidationError(f"以下官员尚未公布秘密值：{'、'.join(missing)}")
    sources = _sources(attempt)
    if sources["primary"] is not None:
        source = sources.get(used)
        if source is None:
            raise ValidationError({"used": "公告没有声明该公共随机源"})
        attempt.public_value_used = used
        if source.kind == "drand":
            attempt.public_value, attempt.drand_signature, attempt.drand_previous_signature = (
                _drand_round(source, public_value, signature, previous_signature)
            )
        else:
            if not public_value.strip():
                raise ValidationError({"public_value": "公告声明了公共随机源，须填写其公布的结果"})
            attempt.public_value = public_value.strip()
    _move(attempt, AttemptStatus.DRAWN)
    try:
        outcome = rerun(attempt)
    except DrawError as exc:  # includes a public value that does not fit its source
        raise ValidationError(f"抽取失败：{exc}") from exc
    files = outcome.files()
    for name, data in files.items():
        _store(attempt, name, data)
    # the frame rows of the selected and reserve entities: pages read these, not the frame
    drawn_ids = set(outcome.selection.selected_ids()) | set(outcome.selection.reserve_ids())
    _store(
        attempt,
        DRAWN_FRAME,
        lines_bytes(
            [
                line
                for line in split_lines(_load(attempt, "frame.tsv"), "frame.tsv")
                if line.split(b"\t", 1)[0].decode("ascii") in drawn_ids
            ]
        ),
    )
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
    attempt = _locked(attempt)
    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以放弃抽取")
    if not reason.strip():
        raise ValidationError({"reason": "放弃抽取须写明理由"})
    _move(attempt, AttemptStatus.ABANDONED)
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


def draw_bundle_files(attempt: DrawAttempt) -> dict[str, bytes]:
    """Return the public DRAW-v1 bundle of a drawn attempt (avoidance list only opened
    for the drawn entities, as salted commitments otherwise)."""
    if not attempt.has_result:
        raise ValidationError("该次抽取尚未完成，没有可导出的数据包")
    outcome = rerun(attempt)
    _ann, frame, pool, leaves, _pairs = frozen_inputs(attempt)
    # from dispatch on the bundle is DRAW-v1.1: its replacements, then its final matching
    replacements = replacements_of(attempt) if attempt.drawn_objects.exists() else None
    final = (
        final_matching(outcome, frame.rows, replacements)
        if replacements is not None and attempt.matched_at is not None
        else None
    )
    with tempfile.TemporaryDirectory() as tmp:
        return write_bundle(
            Path(tmp),
            outcome=outcome,
            frame=frame,
            pool=pool,
            avoidance_leaves=leaves,
            reveals=reveals_of(attempt),
            replacements=replacements,
            final=final,
        )


def draw_verify_stored(attempt: DrawAttempt) -> list[str]:
    """Re-run a stored draw and compare every output file; return the differing names."""
    outcome = rerun(attempt)
    files = outcome.files()
    if attempt.matched_at is not None:
        _ann, frame, _pool, _leaves, _pairs = frozen_inputs(attempt)
        files.update(final_matching(outcome, frame.rows, replacements_of(attempt)).files())
        del files["replacements.tsv"]  # an input: made from the dispatched objects
    return [name for name, data in files.items() if _load(attempt, name) != data]


def draw_bundle_zip(attempt: DrawAttempt) -> tuple[str, bytes]:
    """Return the public bundle as (file name, zip bytes), one folder inside."""
    folder = f"draw-{attempt.task_id}-{attempt.number}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(draw_bundle_files(attempt).items()):
            archive.writestr(f"{folder}/{name}", data)
    return f"{folder}.zip", buffer.getvalue()


# ---------------------------------------------------------------- dispatch and confirmation


@transaction.atomic
def draw_dispatch(*, actor: User, task: Task) -> list[DrawnObject]:
    """Dispatch the drawn list to every participating department; their 2 working days start."""
    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以派发")
    task = Task.objects.select_for_update().get(pk=task.pk)
    attempt = task.draw_attempts.filter(status=AttemptStatus.DRAWN).order_by("-number").first()
    if attempt is None or task.state != TaskState.DRAWN:
        raise ValidationError("任务尚未完成抽取，不能派发")
    objects = [
        DrawnObject.objects.create(attempt=attempt, entity_code=entity_id, stratum=stratum)
        for stratum, kind, entity_id in stored_selection(attempt)
        if kind == "selected"
    ]
    task_transition(actor=actor, task=task, to=TaskState.DISPATCHED, step="dispatch")
    # comparing and confirming starts at once, for every department (seed plan §四(一))
    task_transition(actor=None, task=task, to=TaskState.CONFIRMING, note="派发后自动开始比对确认")
    audit_record(
        actor=actor,
        event_type=events.DRAW_DISPATCHED,
        target=task,
        data={"attempt": attempt.number, "objects": [o.entity_code for o in objects]},
    )
    return objects


def _require_participant(actor: User, task: Task) -> TaskDepartment:
    allowed = writable_department_ids(actor)
    roles = task.participants.select_related("department")
    mine = [p for p in roles if allowed is None or p.department_id in allowed]
    if actor.role not in (Role.DEPT_ADMIN, Role.LEAD_ADMIN, Role.PLATFORM_ADMIN) or not mine:
        raise PermissionDenied("只有参与部门的管理员可以比对确认")
    return mine[0]


def declared_reasons(attempt: DrawAttempt) -> list[tuple[str, str]]:
    """The replacement reasons the attempt's announcement declared, with their labels."""
    declared = json.loads(attempt.announcement)["sampling"]["replacement_reasons"]
    labels = dict(ReplacementReason.choices)
    return [(r, str(labels.get(r, r))) for r in declared]


def next_successor(obj: DrawnObject) -> tuple[int, str | None]:
    """(number, reserve entity) of sending ``obj`` back now; None once the reserve is used up.

    The n-th send-back of a stratum takes its n-th reserve (DRAW-v1.1, docs/draw-spec.md
    §10.1), whether or not the earlier ones found a successor.
    """
    number = (
        DrawnObject.objects.filter(
            attempt=obj.attempt, stratum=obj.stratum, state=ObjectState.REPLACED
        ).count()
        + 1
    )
    reserve = [
        entity_id
        for stratum, kind, entity_id in stored_selection(obj.attempt)
        if stratum == obj.stratum and kind == "reserve"
    ]
    return number, reserve[number - 1] if number <= len(reserve) else None


def _stale(obj: DrawnObject) -> str:
    successor = DrawnObject.objects.filter(replaces=obj).values_list("entity_code", flat=True)
    if obj.state == ObjectState.REPLACED:
        done = f"已退回，由 {successor.first()} 替补" if successor.exists() else "已退回，未替补"
    elif obj.state == ObjectState.CONFIRMED:
        done = "已确认"
    else:
        done = "状态已变化"
    return f"{obj.entity_code} {done}，本次未退回。页面上的名单已过期，请刷新后核对"


def drawn_object_replace_check(*, actor: User, obj: DrawnObject, expected_state: str) -> None:
    """Refuse (in Chinese) what ``drawn_object_replace`` would refuse before any reason is read:
    scope, the confirmation period, and a row no longer in the state the page showed."""
    task = obj.attempt.task
    _require_participant(actor, task)
    if task.state != TaskState.CONFIRMING:
        raise ValidationError("只有在部门确认期间可以退回对象")
    if obj.state != ObjectState.PENDING or expected_state != obj.state:
        raise ValidationError(_stale(obj))


@transaction.atomic
def drawn_object_replace(
    *, actor: User, obj: DrawnObject, reason: str, note: str, expected_state: str
) -> DrawnObject | None:
    """Send back an object for a declared reason with a written note; the next reserve of
    its stratum takes its place.

    ``expected_state`` is the state the page showed: a row changed since (a double click,
    a stale list) is refused and nothing is written.  Returns the replacement, or None when
    the stratum's reserve list is used up (the object leaves without a successor).
    """
    obj = DrawnObject.objects.select_for_update().select_related("attempt__task").get(pk=obj.pk)
    task = obj.attempt.task
    drawn_object_replace_check(actor=actor, obj=obj, expected_state=expected_state)
    declared = declared_reasons(obj.attempt)
    if reason not in dict(declared):
        names = "、".join(label for _value, label in declared)
        raise ValidationError({"reason": f"请选择退回理由：须为抽取公告声明的理由（{names}）"})
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": "请填写情况说明：写明核实的情况和依据（如注销日期、实地核查结果）"}
        )
    number, successor_id = next_successor(obj)
    obj.state = ObjectState.REPLACED
    obj.replace_reason = reason
    obj.replace_note = note
    obj.replaced_by = actor
    obj.replace_number = number
    obj.full_clean()
    obj.save()
    successor = None
    if successor_id is not None:
        successor = DrawnObject.objects.create(
            attempt=obj.attempt,
            entity_code=successor_id,
            stratum=obj.stratum,
            from_reserve=True,
            replaces=obj,
        )
    audit_record(
        actor=actor,
        event_type=events.DRAW_OBJECT_REPLACED,
        target=task,
        data={
            "entity": obj.entity_code,
            "reason": reason,
            "note": obj.replace_note,
            "replacement": successor_id,
        },
    )
    return successor


@transaction.atomic
def department_confirm(
    *, actor: User, task: Task, on_behalf_of: TaskDepartment | None = None, reason: str = ""
) -> TaskDepartment:
    """A department confirms the dispatched list; the lead office may confirm for a
    department that let its 2 working days pass, with a reason (docs/domain/dispatch.md)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state != TaskState.CONFIRMING:
        raise ValidationError("任务不在部门确认阶段")
    if on_behalf_of is None:
        participant = _require_participant(actor, task)
    else:
        if actor.role not in _ORGANISERS:
            raise PermissionDenied("只有牵头单位可以代为确认")
        if not reason.strip():
            raise ValidationError({"reason": "代为确认须写明理由"})
        participant = on_behalf_of
        overdue = Deadline.objects.filter(
            target_type="campaigns.task",
            target_id=str(task.pk),
            department=participant.department,
            state=DeadlineState.OVERDUE,
        ).exists()
        if not overdue:
            raise ValidationError("该部门的确认时限尚未超期，须由该部门自行确认")
    participant = TaskDepartment.objects.select_for_update().get(pk=participant.pk)
    if participant.confirmed_at is not None:
        raise ValidationError(f"{participant.department.name}已确认，无需重复确认")
    participant.confirmed_at = timezone.now()
    participant.save(update_fields=["confirmed_at"])
    for deadline in Deadline.objects.filter(
        target_type="campaigns.task",
        target_id=str(task.pk),
        department=participant.department,
        state__in=(DeadlineState.OPEN, DeadlineState.OVERDUE),
    ):
        deadline_complete(actor=actor, deadline=deadline)
    audit_record(
        actor=actor,
        event_type=events.DRAW_DEPARTMENT_CONFIRMED,
        target=task,
        data={
            "department": participant.department.name,
            "on_behalf": on_behalf_of is not None,
            "reason": reason.strip(),
        },
    )
    if not task.participants.filter(confirmed_at__isnull=True).exists():
        DrawnObject.objects.filter(
            attempt__task=task, attempt__status=AttemptStatus.DRAWN, state=ObjectState.PENDING
        ).update(state=ObjectState.CONFIRMED)
        task_transition(actor=None, task=task, to=TaskState.CONFIRMED, note="各部门均已确认")
    return participant


# ---------------------------------------------------------------- claims, inspector draw, matching


def replacements_of(attempt: DrawAttempt) -> list[Replacement]:
    """The attempt's replacements as DRAW-v1.1 rows (replacements.tsv), in canonical order."""
    rows = []
    for obj in DrawnObject.objects.filter(attempt=attempt, state=ObjectState.REPLACED):
        successor = DrawnObject.objects.filter(replaces=obj).values_list("entity_code", flat=True)
        rows.append(
            Replacement(
                obj.stratum,
                obj.replace_number or 0,
                obj.entity_code,
                obj.replace_reason,
                successor.first() or "",
            )
        )
    return sorted(rows, key=lambda r: (r.stratum.encode("utf-8"), r.number))


def final_of(attempt: DrawAttempt) -> tuple[DrawOutcome, FinalMatching]:
    """Re-run the draw and its final matching (after the replacements) from stored inputs."""
    outcome = rerun(attempt)
    _ann, frame, _pool, _leaves, _pairs = frozen_inputs(attempt)
    try:
        final = final_matching(outcome, frame.rows, replacements_of(attempt))
    except DrawError as exc:
        raise ValidationError(f"替补记录不符合抽取规则：{exc}") from exc
    active = set(
        DrawnObject.objects.filter(attempt=attempt)
        .exclude(state=ObjectState.REPLACED)
        .values_list("entity_code", flat=True)
    )
    if active != set(final.entities):
        raise ValidationError("派发名单与按替补规则得出的最终名单不一致，请联系平台管理员核查")
    return outcome, final


def _drawn_for(task: Task) -> DrawAttempt:
    attempt = task.draw_attempts.filter(status=AttemptStatus.DRAWN).order_by("-number").first()
    if attempt is None:
        raise ValidationError("任务尚未完成抽取")
    return attempt


@transaction.atomic
def grouping_start(*, actor: User, task: Task) -> Task:
    """The lead office opens grouping (编组) once every department has confirmed its list."""
    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以开始编组")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state == TaskState.GROUPING:
        raise ValidationError("任务已在编组中")
    if task.state != TaskState.CONFIRMED:
        raise ValidationError("各部门确认名单后（任务“已确认”）才能开始编组")
    _drawn_for(task)
    return task_transition(
        actor=actor, task=task, to=TaskState.GROUPING, note="开始认领与抽取执法人员"
    )


def _claiming_participant(actor: User, task: Task, department_id: int | None) -> TaskDepartment:
    if actor.role not in (Role.DEPT_ADMIN, Role.LEAD_ADMIN, Role.PLATFORM_ADMIN):
        raise PermissionDenied("只有参与部门的管理员可以认领并抽取执法人员")
    allowed = writable_department_ids(actor)
    mine = [
        p
        for p in task.participants.select_related("department")
        if (allowed is None or p.department_id in allowed)
        and (department_id is None or p.department_id == department_id)
    ]
    if not mine:
        raise PermissionDenied("只有参与部门的管理员可以认领并抽取执法人员")
    if len(mine) > 1:
        raise ValidationError({"department": "请选择代为认领的部门"})
    return mine[0]


@transaction.atomic
def department_claim(
    *, actor: User, task: Task, department_id: int | None = None
) -> DepartmentClaim:
    """A department claims its final objects and draws its inspectors through DRAW-v1 §8.

    The draw is deterministic: the department's drawable (在岗, certificate valid on the
    draw date) inspectors of the frozen pool, ranked by the attempt's inspectors key.  A
    second click draws nothing.  A department without a drawable inspector is refused
    and the task cannot be matched; the way out is an approved redraw (申请重新抽取),
    whose new announcement freezes the corrected inspector directory.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    participant = _claiming_participant(actor, task, department_id)
    department = participant.department
    if task.state != TaskState.GROUPING:
        raise ValidationError("只有“编组中”的任务可以认领并抽取执法人员")
    attempt = _drawn_for(task)
    if DepartmentClaim.objects.filter(attempt=attempt, department=department).exists():
        raise ValidationError(f"{department.name}已认领并抽取执法人员，不会重复抽取")
    outcome, final = final_of(attempt)
    entities = final.entities_of(department.name)
    if not entities:
        raise ValidationError(f"本任务的最终名单中没有需要{department.name}检查的对象，无需认领")
    drawn = outcome.inspectors.by_department()[department.name]
    if not drawn.drawn:
        raise ValidationError(
            f"{department.name}在公告冻结的执法人员名录中没有可抽取的人员"
            f"（共{drawn.pool}人，其中在岗且执法证在抽取日有效的0人），无法认领。"
            "请核实执法人员名录中本部门人员的在岗状态和执法证有效期；"
            "公告冻结的人员库不能更改，须由牵头单位在任务页面点击“申请重新抽取”，"
            "写明理由并经另一角色的官员批准后重新公告抽取（新公告冻结更正后的人员名录）。"
            "在此之前本任务不能随机匹配。"
        )
    claim = DepartmentClaim(
        attempt=attempt,
        department=department,
        claimed_by=actor,
        entity_codes=entities,
        certificates=[row.certificate_no for _, row in drawn.drawn],
        pool_count=drawn.pool,
        eligible_count=drawn.eligible,
    )
    claim.full_clean()
    claim.save()
    audit_record(
        actor=actor,
        event_type=events.DRAW_DEPARTMENT_CLAIMED,
        target=task,
        data={
            "attempt": attempt.number,
            "department": department.name,
            "entities": len(entities),
            "inspectors": claim.certificates,
            "eligible": drawn.eligible,
            "pool": drawn.pool,
        },
    )
    return claim


def departments_to_claim(task: Task) -> list[str]:
    """Departments (names, task order) that have final objects and have not claimed yet."""
    attempt = _drawn_for(task)
    _outcome, final = final_of(attempt)
    claimed = set(attempt.claims.values_list("department__name", flat=True))
    return [
        d
        for d in final.outcome.announcement.departments
        if d not in claimed and final.entities_of(d)
    ]


@transaction.atomic
def draw_match(*, actor: User, task: Task) -> FinalMatching:
    """Match groups to the final list (DRAW-v1.1) and generate the 一企一表 records.

    Runs only once: the task row is locked and its state checked, so a double click
    matches once and the second click gets a clear message.
    """
    from spotcheck.inspections.services.generation import records_generate

    if actor.role not in _ORGANISERS:
        raise PermissionDenied("只有牵头单位管理员可以随机匹配")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state == TaskState.MATCHED or task.records.exists():
        raise ValidationError("本任务已完成随机匹配，不会重复匹配")
    if task.state != TaskState.GROUPING:
        raise ValidationError("只有“编组中”的任务可以随机匹配")
    pending = task.draw_attempts.filter(status=AttemptStatus.REQUESTED).first()
    if pending is not None:
        raise ValidationError(
            f"本任务有待{pending.approved_by}批准的重新抽取申请，须待批准人决定"
            "或牵头单位撤回该申请后才能随机匹配"
        )
    attempt = _locked(_drawn_for(task))
    outcome, final = final_of(attempt)
    claimed = {c.department.name: c for c in attempt.claims.select_related("department")}
    missing = [
        d for d in outcome.announcement.departments if d not in claimed and final.entities_of(d)
    ]
    if missing:
        raise ValidationError(f"以下部门尚未认领并抽取执法人员：{'、'.join(missing)}")
    by_department = outcome.inspectors.by_department()
    for name, claim in claimed.items():
        if claim.certificates != [r.certificate_no for _, r in by_department[name].drawn]:
            raise ValidationError(f"{name}认领时抽取的执法人员与重新计算的结果不一致")
    files = final.files()
    attempt.final_result = files["final.json"].decode("utf-8")
    attempt.matched_at = timezone.now()
    attempt.matched_by = actor
    attempt.save(update_fields=["final_result", "matched_at", "matched_by"])
    m = final.matching
    audit_record(
        actor=actor,
        event_type=events.DRAW_MATCHED,
        target=task,
        data={
            "attempt": attempt.number,
            "enterprises": len(final.entities),
            "groups": len(m.groups),
            "replacements": len(final.replacements),
            "infeasible": [[x.entity_id, x.department] for x in m.infeasible],
            "specialist_needed": [
                [x.entity_id, x.department, x.qualification] for x in m.specialists
            ],
            "final_sha256": hashlib.sha256(files["final.json"]).hexdigest(),
        },
    )
    records_generate(actor=actor, task=task, final=final)
    # files last: should a write fail, the transaction (records included) rolls back
    for name, data in files.items():  # replacements.tsv too, as it was when matched
        _store(attempt, name, data)
    return final
