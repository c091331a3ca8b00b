"""The approval that makes a record 已通过 issues the enterprise's 检查结果告知书 and, once
committed, tells the enterprise's registered phone that it is ready (not for practice)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.models import Task
from spotcheck.directory.models import Entity
from spotcheck.followup.models import Case
from spotcheck.inspections.choices import ReviewDecision
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import signature
from spotcheck.publicity.models import ResultNotice
from spotcheck.testing.personas import LOGIN_BACKEND
from spotcheck.workflow.records import record_review
from spotcheck.workflow.tests.step_factories import Joint, sid

MARKET = "晋州市市场监督管理局"
POLICE = "晋州市公安局"
LIAISON_PHONE = "13912345678"
SENT = "publicity.result_notice.message_sent"


def _fill(
    record: JointRecord, user: User, department: str, codes: tuple[str, ...], text: str
) -> None:
    rows = record.items.filter(department__name=department)
    entries = [
        ItemEntry(item_id=r.pk, findings=text, codes=codes, notes="", base_version=None)
        for r in rows
    ]
    record_entries_save(actor=user, record=record, submission_id=sid(), entries=entries)


@pytest.fixture
def signed(joint: Joint, inspector_user: User, other_inspector_user: User) -> JointRecord:
    """甲 checked on site: the market finds nothing, the police a problem; signed."""
    record = joint.jia
    _fill(record, inspector_user, MARKET, ("1",), "食品经营许可证在有效期内")
    _fill(record, other_inspector_user, POLICE, ("A", "G"), "保安员未持证上岗")
    record_sign(
        actor=inspector_user,
        record=record,
        submission_id=sid(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in record.group.members.all()},  # type: ignore[union-attr]
    )
    Entity.objects.filter(pk=record.entity_id).update(
        liaison_name="赵联络", liaison_phone=LIAISON_PHONE, legal_rep_phone="13800000000"
    )
    record.refresh_from_db()
    return record


Approve = Callable[[], None]


@pytest.fixture
def approve(
    signed: JointRecord,
    dept_admin: User,
    other_dept_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> Approve:
    """Both departments approve 甲; the post-commit work runs when the block ends."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            record_review(actor=dept_admin, record=signed, decision=ReviewDecision.APPROVED)
            record_review(actor=other_dept_admin, record=signed, decision=ReviewDecision.APPROVED)

    return run


def _pdf_text(client: Client, user: User, record: JointRecord) -> str:
    client.force_login(user, backend=LOGIN_BACKEND)
    response = client.get(reverse("publicity:result_notice_pdf", args=[record.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert (
        round(float(reader.pages[0].mediabox.width)),
        round(float(reader.pages[0].mediabox.height)),
    ) == (595, 842)
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _messages(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_approval_issues_a_notice_of_the_results_the_follow_up_and_the_correction(
    approve: Approve, signed: JointRecord, joint: Joint, dept_admin: User, client: Client
) -> None:
    # when the second department's approval makes the record final
    approve()

    # then the notice is kept with the approved version and the follow-up it announces
    notice = ResultNotice.objects.get(record=signed)
    case = Case.objects.get(record=signed)
    assert notice.record_version.number == signed.versions.get().number
    assert notice.follow_ups == [
        {
            "item_id": case.record_item_id,
            "department": POLICE,
            "item": "保安服务许可情况",
            "due_date": case.deadline.due_date.isoformat(),  # type: ignore[union-attr]
        }
    ]
    assert AuditEvent.objects.filter(event_type="publicity.result_notice.issued").count() == 1

    # and its PDF tells the enterprise each item's result in words, what follows and by when
    text = _pdf_text(client, dept_admin, signed)
    due = case.deadline.due_date  # type: ignore[union-attr]
    for expected in (
        "检查结果告知书",
        signed.entity.name,
        joint.task.number,
        "食品经营许可情况",
        "食品经营许可证在有效期内",
        "未发现问题",
        "保安服务许可情况",
        "保安员未持证上岗",
        "发现问题待后续处理（违反公安部门相关规定）",
        f"{due.year}年{due.month}月{due.day}日前作出处置",
        "书面申请更正",
        "标注“已更正”",
        "李检查",
        "JZSC0001",
    ):
        assert expected in text, expected
    assert "演练" not in text
    # no result code is shown, only its words
    assert "G违反" not in text
    assert "A发现" not in text


def test_the_notice_prints_the_same_every_time(
    approve: Approve, signed: JointRecord, dept_admin: User, client: Client
) -> None:
    approve()

    first = _pdf_text(client, dept_admin, signed)
    # a case moving on afterwards does not change what the enterprise was told
    Case.objects.filter(record=signed).update(department=signed.items.first().department)  # type: ignore[union-attr]

    assert _pdf_text(client, dept_admin, signed) == first


def test_the_enterprise_is_told_after_the_commit_and_not_before(
    signed: JointRecord,
    joint: Joint,
    dept_admin: User,
    other_dept_admin: User,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    path = tmp_path / "messages.jsonl"
    with override_settings(
        MESSAGE_BACKEND="spotcheck.common.messaging.FileBackend", MESSAGE_FILE_PATH=path
    ):
        # when the approvals are made, the transaction not yet committed
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            record_review(actor=dept_admin, record=signed, decision=ReviewDecision.APPROVED)
            record_review(actor=other_dept_admin, record=signed, decision=ReviewDecision.APPROVED)
            # then nothing has been sent yet
            assert _messages(path) == []

    # and after the commit one message went to the liaison's phone
    assert callbacks
    [message] = _messages(path)
    assert message["to_phone"] == LIAISON_PHONE
    assert message["purpose"] == "result_notice"
    assert signed.entity.name in message["text"]
    assert joint.task.number in message["text"]
    assert "检查结果告知书已生成" in message["text"]
    # nothing personal beyond the enterprise's name and the task number
    for personal in ("赵联络", "张三", "李检查", "王检查", LIAISON_PHONE, "13800000000"):
        assert personal not in message["text"]
    sent = AuditEvent.objects.get(event_type=SENT)
    assert sent.data["phone"] == "139****5678"
    assert sent.data["message_id"] == message["id"]


def test_without_a_liaison_the_legal_representative_is_told(
    approve: Approve, signed: JointRecord, tmp_path: Path
) -> None:
    Entity.objects.filter(pk=signed.entity_id).update(liaison_phone="")
    path = tmp_path / "messages.jsonl"
    with override_settings(
        MESSAGE_BACKEND="spotcheck.common.messaging.FileBackend", MESSAGE_FILE_PATH=path
    ):
        approve()

    assert [m["to_phone"] for m in _messages(path)] == ["13800000000"]


def test_an_enterprise_without_a_registered_phone_is_not_messaged_and_the_audit_says_so(
    approve: Approve, signed: JointRecord, tmp_path: Path
) -> None:
    Entity.objects.filter(pk=signed.entity_id).update(liaison_phone="", legal_rep_phone="")
    path = tmp_path / "messages.jsonl"
    with override_settings(
        MESSAGE_BACKEND="spotcheck.common.messaging.FileBackend", MESSAGE_FILE_PATH=path
    ):
        approve()

    assert _messages(path) == []
    assert not AuditEvent.objects.filter(event_type=SENT).exists()
    assert (
        AuditEvent.objects.filter(event_type="publicity.result_notice.message_skipped").count() == 1
    )


def test_a_failed_send_is_audited_and_the_approval_stands(
    approve: Approve, signed: JointRecord, tmp_path: Path
) -> None:
    # given a message file that cannot be written (its folder is a file)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with override_settings(
        MESSAGE_BACKEND="spotcheck.common.messaging.FileBackend",
        MESSAGE_FILE_PATH=blocker / "messages.jsonl",
    ):
        approve()

    failed = AuditEvent.objects.get(event_type="publicity.result_notice.message_failed")
    assert failed.data["error"].startswith("无法写入消息文件")
    assert ResultNotice.objects.filter(record=signed).exists()


def test_a_practice_task_gets_a_notice_marked_practice_and_sends_nothing(
    approve: Approve,
    signed: JointRecord,
    joint: Joint,
    dept_admin: User,
    client: Client,
    tmp_path: Path,
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(is_practice=True)
    path = tmp_path / "messages.jsonl"
    with override_settings(
        MESSAGE_BACKEND="spotcheck.common.messaging.FileBackend", MESSAGE_FILE_PATH=path
    ):
        approve()

    assert ResultNotice.objects.get(record=signed).is_practice
    text = _pdf_text(client, dept_admin, signed)
    assert "【演练】“双随机、一公开”联合抽查检查结果告知书" in text
    assert "不具有法律效力" in text
    assert _messages(path) == []
    assert not AuditEvent.objects.filter(
        event_type__startswith="publicity.result_notice.message"
    ).exists()


def test_the_record_pages_offer_the_notice_once_approved(
    approve: Approve,
    signed: JointRecord,
    lead_admin: User,
    dept_admin: User,
    inspector_user: User,
    client: Client,
) -> None:
    pages = [
        (dept_admin, reverse("inspections:record_detail", args=[signed.pk])),
        (lead_admin, reverse("inspections:record_detail", args=[signed.pk])),
        (inspector_user, reverse("inspections:field_record", args=[signed.pk])),
    ]
    link = reverse("publicity:result_notice_pdf", args=[signed.pk])

    def shown() -> list[bool]:
        found = []
        for user, url in pages:
            client.force_login(user, backend=LOGIN_BACKEND)
            response = client.get(url)
            assert response.status_code == 200
            found.append(link in response.content.decode())
        return found

    # before the approval no page links a notice, and there is none to open
    assert shown() == [False, False, False]
    client.force_login(dept_admin, backend=LOGIN_BACKEND)
    assert client.get(link).status_code == 404

    approve()

    assert shown() == [True, True, True]
