from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.core.draw import RevealMismatchError, commitment, new_secret
from spotcheck.directory.models import Entity, Inspector
from spotcheck.draws.ceremony import (
    draw_abandon,
    draw_announce,
    draw_commit,
    draw_prepare,
    draw_reveal,
    draw_run,
)
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt
from spotcheck.draws.outcomes import draw_bundle_files, rerun
from spotcheck.draws.redraws import draw_redraw_approve
from spotcheck.draws.tests.factories import announced as _announced
from spotcheck.draws.tests.factories import drawn as _drawn
from spotcheck.testing.personas import LOGIN_BACKEND, Departments

ROOT = Path(__file__).resolve().parents[3]


def test_two_officials_of_different_departments_are_required(
    task: Task, lead_admin: User, departments: Departments
) -> None:
    with pytest.raises(ValidationError) as exc:
        draw_prepare(actor=lead_admin, task=task, officials=[lead_admin])

    assert exc.value.message_dict == {"officials": ["至少需要两名来自不同部门的官员作出承诺"]}
    assert not DrawAttempt.objects.exists()


def test_officials_of_a_department_outside_the_task_cannot_commit(
    task: Task, lead_admin: User, dept_admin: User, other_dept_admin: User
) -> None:
    # given: 公安局 takes no part in the task (draw spec §5)
    assert not task.participants.filter(department=other_dept_admin.department).exists()

    # when
    with pytest.raises(ValidationError) as exc:
        draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, other_dept_admin])

    # then
    assert exc.value.message_dict == {
        "officials": [f"{other_dept_admin}所在部门未参与本任务，不能作出承诺"]
    }
    assert not DrawAttempt.objects.exists()


def test_no_draw_without_announcement(task: Task, lead_admin: User, dept_admin: User) -> None:
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])

    with pytest.raises(ValidationError, match="尚未公布秘密值|不能变为"):
        draw_run(actor=lead_admin, attempt=attempt)
    with pytest.raises(ValidationError, match="尚未作出承诺"):
        draw_announce(actor=lead_admin, attempt=attempt)

    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED


def test_announcement_freezes_the_frame_and_moves_the_task(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    attempt, _, _ = _announced(task, lead_admin, dept_admin)

    task.refresh_from_db()
    assert task.state == TaskState.ANNOUNCED
    assert attempt.status == AttemptStatus.ANNOUNCED
    event = AuditEvent.objects.get(event_type="draw.announced")
    assert event.data["frame_count"] == 40
    assert event.data["strata"] == {"A": 10, "B": 10, "C": 10, "D": 10}


def test_a_reveal_that_does_not_open_the_commitment_is_refused(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    attempt, s1, _s2 = _announced(task, lead_admin, dept_admin)

    with pytest.raises(RevealMismatchError):
        draw_reveal(actor=dept_admin, attempt=attempt, secret=s1)

    assert attempt.officials.get(user=dept_admin).secret == ""


def test_a_refused_reveal_names_the_official_in_chinese_never_the_login(
    task: Task, lead_admin: User, dept_admin: User, client: Client
) -> None:
    # given: announced; the market's official pastes the lead office's secret
    attempt, s1, _s2 = _announced(task, lead_admin, dept_admin)
    client.force_login(dept_admin, backend=LOGIN_BACKEND)
    before = AuditEvent.objects.count()

    # when
    page = client.post(
        f"/tasks/{task.pk}/draw/reveal/", {"secret": s1.hex()}, follow=True
    ).content.decode()

    # then
    assert (
        "市场监管局管理员公布的秘密值与其承诺不符，拒绝接受。请核对作出承诺时保存的秘密值后重新公布"
        in page
    )
    assert "market_admin" not in page
    assert "reveal does not match" not in page
    assert attempt.officials.get(user=dept_admin).secret == ""
    assert AuditEvent.objects.count() == before


def test_the_public_draw_page_shows_names_local_times_and_ratios_in_per_cent(
    task: Task, lead_admin: User, dept_admin: User, client: Client
) -> None:
    # given: a drawn task whose ratios are 10 % (A–C), 20 % (D), 0 % unclassified, floor 3 %
    attempt = _drawn(task, lead_admin, dept_admin)

    # when
    page = client.get(f"/public/tasks/{task.pk}/").content.decode()

    # then
    local = timezone.localtime(attempt.announced_at).strftime("%Y-%m-%d %H:%M:%S")
    assert f'data-testid="announced-at-1">{local}</dd>' in page
    assert "A类 10%，B类 10%，C类 10%，D类 20%，未分类 0%；总体不低于 3%" in page
    assert "晋州市人民政府办公室 · 牵头单位管理员：承诺" in page
    assert "晋州市市场监督管理局 · 市场监管局管理员：承诺" in page
    assert "market_admin" not in page
    assert " lead：" not in page
    assert "+08:00" not in page
    assert "A类 0.1" not in page


def test_the_draw_selects_k_per_stratum_and_moves_the_task(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    attempt = _drawn(task, lead_admin, dept_admin)

    task.refresh_from_db()
    assert task.state == TaskState.DRAWN
    event = AuditEvent.objects.get(event_type="draw.executed")
    # ceil(10% × 10) = 1 for A, B, C; ceil(20% × 10) = 2 for D
    assert len(event.data["selected"]) == 5
    assert event.data["seed"] == attempt.seed


def test_a_large_frame_is_hashed_in_worker_processes_with_the_same_result(
    task: Task,
    lead_admin: User,
    dept_admin: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: DRAW_JOBS=2 and the size floor of the parallel path lowered to this frame
    from spotcheck.core.draw import sampling

    settings.DRAW_JOBS = 2
    monkeypatch.setattr(sampling, "PARALLEL_MIN", 0)
    scans: list[int] = []
    parallel_scan = sampling._scan_parallel

    def counted(*args: Any) -> Any:
        scans.append(args[-1])
        return parallel_scan(*args)

    monkeypatch.setattr(sampling, "_scan_parallel", counted)

    # when
    attempt = _drawn(task, lead_admin, dept_admin)

    # then: the draw forked two hashing processes, and a serial re-run gives the same bundle
    assert scans == [2]
    stored = draw_bundle_files(attempt)
    settings.DRAW_JOBS = 1
    scans.clear()
    again = rerun(attempt).files()
    assert scans == []
    for name, data in again.items():
        assert stored[name] == data, name


def test_the_bundle_names_officials_by_number_and_publishes_no_login_name(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    # given
    attempt = _drawn(task, lead_admin, dept_admin)

    # when
    files = draw_bundle_files(attempt)
    announcement = json.loads(files["announcement.json"])

    # then: numbered in department-tree order, each with its own department
    ids = {c["official_id"]: c["department"] for c in announcement["commitments"]}
    assert sorted(ids) == ["官员1", "官员2"]
    assert set(ids.values()) == {lead_admin.department.name, dept_admin.department.name}
    for name, data in files.items():
        text = data.decode("utf-8")
        for login in (lead_admin.username, dept_admin.username):
            assert not re.search(rf"\b{re.escape(login)}\b", text), (name, login)


def test_an_attempt_prepared_before_numbering_still_draws_with_login_name_ids(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    # given: officials stored without a public id, as attempts prepared before numbering
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])
    attempt.officials.update(public_id="")
    s1, s2 = new_secret(), new_secret()
    draw_commit(actor=lead_admin, attempt=attempt, secret=s1)
    draw_commit(actor=dept_admin, attempt=attempt, secret=s2)
    draw_announce(actor=lead_admin, attempt=attempt)

    # when
    draw_reveal(actor=lead_admin, attempt=attempt, secret=s1)
    draw_reveal(actor=dept_admin, attempt=attempt, secret=s2)
    drawn = draw_run(actor=lead_admin, attempt=attempt)

    # then: the ids they committed with are kept, so their reveals opened
    announcement = json.loads(draw_bundle_files(drawn)["announcement.json"])
    assert sorted(c["official_id"] for c in announcement["commitments"]) == sorted(
        [lead_admin.username, dept_admin.username]
    )


def test_a_second_click_draws_nothing(task: Task, lead_admin: User, dept_admin: User) -> None:
    attempt = _drawn(task, lead_admin, dept_admin)

    with pytest.raises(ValidationError, match="不会重复抽取"):
        draw_run(actor=lead_admin, attempt=attempt)

    assert AuditEvent.objects.filter(event_type="draw.executed").count() == 1


def test_redraw_needs_a_reason_and_another_role(
    task: Task, lead_admin: User, dept_admin: User, auditor: User
) -> None:
    attempt, _, _ = _announced(task, lead_admin, dept_admin)
    draw_abandon(actor=lead_admin, attempt=attempt, reason="一名官员无法到场公布秘密值")
    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED

    with pytest.raises(ValidationError):
        draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])
    second = draw_prepare(
        actor=lead_admin,
        task=task,
        officials=[lead_admin, dept_admin],
        redraw_reason="第一次抽取放弃",
        approved_by=auditor,
    )

    assert second.number == 2
    assert list(task.draw_attempts.values_list("number", "status")) == [
        (1, AttemptStatus.ABANDONED),
        (2, AttemptStatus.REQUESTED),
    ]
    # nobody commits before the named official of another role approved the redraw
    with pytest.raises(ValidationError, match="尚未经.*批准，不能作出承诺"):
        draw_commit(actor=lead_admin, attempt=second, secret=new_secret())
    draw_redraw_approve(actor=auditor, attempt=second)
    second.refresh_from_db()
    assert (second.status, second.approved_by) == (AttemptStatus.COMMITTING, auditor)
    draw_commit(actor=lead_admin, attempt=second, secret=new_secret())
    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED


def test_department_admin_cannot_announce(task: Task, lead_admin: User, dept_admin: User) -> None:
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])

    with pytest.raises(PermissionDenied):
        draw_announce(actor=dept_admin, attempt=attempt)


def test_exported_bundle_verifies_with_the_standalone_script(
    task: Task, lead_admin: User, dept_admin: User, tmp_path: Path
) -> None:
    # given a finished draw exported as its public bundle
    attempt = _drawn(task, lead_admin, dept_admin)
    for name, data in draw_bundle_files(attempt).items():
        (tmp_path / name).write_bytes(data)

    # when the verifier runs outside the project, and again on a tampered copy
    ok = subprocess.run(  # noqa: S603 - our own script on our own files
        [sys.executable, str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    frame = (tmp_path / "frame.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    frame[0] = (
        frame[0].replace("\tA\t", "\tD\t")
        if "\tA\t" in frame[0]
        else frame[0].replace("\t", "\tX", 1)
    )
    (tmp_path / "frame.tsv").write_text("".join(frame), encoding="utf-8")
    tampered = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )

    # then
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert tampered.returncode in (1, 2)


def test_draw_verify_command_reports_agreement(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    attempt = _drawn(task, lead_admin, dept_admin)
    out = io.StringIO()

    call_command("draw_verify", task.number, stdout=out)

    assert out.getvalue().strip() == f"复核一致：第1次抽取，种子 {attempt.seed}"


def test_officials_commit_and_reveal_through_the_page(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    # two browsers: the lead office's admin sends a commitment made in the browser, the
    # 市场监管局 admin types a secret of their own (the manual way)
    lead, market = Client(), Client()
    lead.force_login(lead_admin, backend=LOGIN_BACKEND)
    market.force_login(dept_admin, backend=LOGIN_BACKEND)
    url = f"/tasks/{task.pk}/draw/"
    lead.post(f"{url}prepare/", {"officials": [lead_admin.pk, dept_admin.pk]})
    lead_secret = bytes(range(32))
    lead_official = DrawAttempt.objects.get().officials.get(user=lead_admin)

    lead_page = lead.post(
        f"{url}commit/",
        {"commitment": commitment(lead_secret, lead_official.official_id).hex()},
        follow=True,
    )
    market_page = market.post(f"{url}commit/", {"secret": "ab" * 32}, follow=True)
    lead.post(f"{url}announce/")
    wrong = market.post(f"{url}reveal/", {"secret": "cd" * 32}, follow=True)
    market.post(f"{url}reveal/", {"secret": "ab" * 32})
    lead.post(f"{url}reveal/", {"secret": lead_secret.hex()})
    done = lead.post(f"{url}run/", {"confirmed": "1"}, follow=True)

    assert "承诺已记录。平台只保存承诺值，不知道您的秘密值" in lead_page.content.decode()
    assert "承诺已记录。平台只保存承诺值，没有保存您的秘密值" in market_page.content.decode()
    assert lead_secret.hex() not in lead_page.content.decode()
    assert "与其承诺不符，拒绝接受" in wrong.content.decode()
    assert "抽取完成" in done.content.decode()
    task.refresh_from_db()
    assert task.state == TaskState.DRAWN
    bundle = lead.get(f"{url}bundle.zip")
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/zip"


def test_a_commitment_made_elsewhere_is_kept_and_no_secret_reaches_the_platform(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    # given
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])
    official = attempt.officials.get(user=lead_admin)
    secret = new_secret()
    made = commitment(secret, official.official_id)

    # when
    draw_commit(actor=lead_admin, attempt=attempt, commitment_hash=made)
    draw_commit(actor=dept_admin, attempt=attempt, secret=new_secret())

    # then: stored as handed in; the audit record says who computed it
    official.refresh_from_db()
    assert official.commitment == made.hex()
    assert official.secret == ""
    events = AuditEvent.objects.filter(event_type="draw.committed").order_by("pk")
    assert [e.data["computed_by_platform"] for e in events] == [False, True]
    assert secret.hex() not in json.dumps([e.data for e in AuditEvent.objects.all()])


@pytest.mark.parametrize(
    ("sent", "refusal"),
    [
        ({}, "须提交64位十六进制的承诺值"),
        ({"commitment_hash": b"\x01" * 31}, "须提交64位十六进制的承诺值"),
        ({"commitment_hash": b"\x01" * 32, "secret": b"\x02" * 32}, "承诺值和秘密值只填一项"),
    ],
)
def test_a_commitment_needs_exactly_one_of_a_secret_and_a_32_byte_commitment(
    task: Task, lead_admin: User, dept_admin: User, sent: dict[str, bytes], refusal: str
) -> None:
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])

    with pytest.raises(ValidationError) as exc:
        draw_commit(actor=lead_admin, attempt=attempt, **sent)  # type: ignore[arg-type]

    assert exc.value.messages == [refusal]
    assert attempt.officials.get(user=lead_admin).commitment == ""


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "没有收到承诺值：本浏览器未能生成秘密值，请按页面上的手工方式填写承诺值"),
        ({"commitment": "xyz"}, "承诺值应为64位十六进制字符（0-9、a-f）"),
        ({"commitment": "ab" * 32, "secret": "cd" * 32}, "承诺值和秘密值只填一项"),
    ],
)
def test_the_commit_page_refuses_an_empty_malformed_or_double_answer_in_chinese(
    task: Task, lead_admin: User, dept_admin: User, posted: dict[str, str], message: str
) -> None:
    client = Client()
    client.force_login(lead_admin, backend=LOGIN_BACKEND)
    url = f"/tasks/{task.pk}/draw/"
    client.post(f"{url}prepare/", {"officials": [lead_admin.pk, dept_admin.pk]})

    page = client.post(f"{url}commit/", posted, follow=True).content.decode()

    assert message in page
    assert DrawAttempt.objects.get().officials.get(user=lead_admin).commitment == ""


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("lead_admin", 200),
        ("dept_admin", 200),
        ("other_dept_admin", 404),
        ("auditor", 200),
    ],
)
def test_draw_page_follows_task_access(
    task: Task, persona_client: Callable[[str], Client], persona: str, status: int
) -> None:
    assert persona_client(persona).get(f"/tasks/{task.pk}/draw/").status_code == status


def test_entities_and_inspectors_exist(task: Task) -> None:
    # guards the fixture the other tests rely on
    assert Entity.objects.count() == 40
    assert Inspector.objects.count() == 8


def test_the_public_sees_commitments_reveals_seed_and_bundle(
    task: Task, lead_admin: User, dept_admin: User, client: Client
) -> None:
    attempt = _drawn(task, lead_admin, dept_admin)

    page = client.get(f"/public/tasks/{task.pk}/").content.decode()
    bundle = client.get(f"/public/tasks/{task.pk}/bundle.zip")

    assert attempt.seed in page
    assert attempt.announcement_sha256 in page
    for official in attempt.officials.all():
        assert official.commitment in page
        assert official.secret in page
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/zip"


def test_a_named_lottery_draw_must_be_entered_and_enters_the_seed(
    task: Task, lead_admin: User, dept_admin: User, tmp_path: Path
) -> None:
    # given an attempt that names the 双色球 draw 2026030 (fallback 2026031)
    from spotcheck.core.draw import PublicSource

    attempt = draw_prepare(
        actor=lead_admin,
        task=task,
        officials=[lead_admin, dept_admin],
        primary=PublicSource("lottery", name="中国福利彩票双色球", draw="2026030"),
        fallback=PublicSource("lottery", name="中国福利彩票双色球", draw="2026031"),
    )
    s1, s2 = new_secret(), new_secret()
    draw_commit(actor=lead_admin, attempt=attempt, secret=s1)
    draw_commit(actor=dept_admin, attempt=attempt, secret=s2)
    draw_announce(actor=lead_admin, attempt=attempt)
    draw_reveal(actor=lead_admin, attempt=attempt, secret=s1)
    draw_reveal(actor=dept_admin, attempt=attempt, secret=s2)

    # when the lead tries to draw without the result, then with a malformed one
    with pytest.raises(ValidationError, match="须填写其公布的结果"):
        draw_run(actor=lead_admin, attempt=attempt)
    with pytest.raises(ValidationError, match="RFC 3797"):
        draw_run(actor=lead_admin, attempt=attempt, public_value="3 7 12 19 25 33 + 9")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.ANNOUNCED

    # then the published result is accepted and the bundle carries it
    done = draw_run(actor=lead_admin, attempt=attempt, public_value="3.7.12.19.25.33./9./")
    assert (done.public_value_used, done.public_value) == ("primary", "3.7.12.19.25.33./9./")
    for name, data in draw_bundle_files(done).items():
        (tmp_path / name).write_bytes(data)
    verified = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
