"""Where each department's review, the reviewer's comment and the re-signature show."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import DepartmentReview, JointRecord
from spotcheck.inspections.tests.field_setup import Field, build_field, signature
from spotcheck.inspections.tests.field_setup import enter_all as _enter_all
from spotcheck.inspections.tests.field_setup import sign_record as _sign
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions
from spotcheck.workflow.records import record_review


@pytest.fixture
def signed(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
) -> Field:
    field = build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    return field


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _when(review: DepartmentReview) -> str:
    return timezone.localtime(review.reviewed_at).strftime("%Y-%m-%d %H:%M")


def test_the_staff_record_page_lists_each_departments_review(
    signed: Field, dept_admin: User, lead_admin: User
) -> None:
    # given 市场监管局 approved, 公安局 not yet
    (review,) = record_review(
        actor=dept_admin, record=signed.record, decision=ReviewDecision.APPROVED
    )

    # when the lead office opens the record
    html = _client(lead_admin).get(f"/records/{signed.record.pk}/").content.decode()

    # then
    assert html.count('data-testid="review-status-row"') == 2
    assert (
        '<span>晋州市市场监督管理局</span> <span class="badge text-bg-success">已通过</span>'
        f' <span class="small text-secondary">{dept_admin}，{_when(review)}</span>'
    ) in html
    assert '<span>晋州市公安局</span> <span class="badge text-bg-warning">待审核</span>' in html


def test_the_staff_record_page_says_the_new_signature_is_still_awaited(
    signed: Field, other_dept_admin: User, lead_admin: User
) -> None:
    # given 公安局 returned the record asking for a new signature
    record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="请重新签字",
        resign_required=True,
    )

    # when the lead office opens the record
    html = _client(lead_admin).get(f"/records/{signed.record.pk}/").content.decode()

    # then
    assert (
        '<div class="mt-1" data-testid="resign-required"><strong>要求检查对象重新签字</strong>'
        "：尚未重新签字，重新签字（或记录拒签）后才能提交更正</div>"
    ) in html
    assert 'data-testid="open-resign"' not in html


def test_the_task_record_list_shows_each_departments_review(
    signed: Field, dept_admin: User, lead_admin: User
) -> None:
    # given 市场监管局 approved, 公安局 not yet
    record_review(actor=dept_admin, record=signed.record, decision=ReviewDecision.APPROVED)

    # when the lead office lists the task's submitted records
    html = (
        _client(lead_admin)
        .get(f"/tasks/{signed.record.task_id}/records/?state=submitted")
        .content.decode()
    )

    # then
    status = html[html.index('data-testid="record-review-status"') :]
    status = status[: status.index("</div>")]
    assert status.count('<span class="badge text-bg-success">已通过</span>') == 1
    assert status.count('<span class="badge text-bg-warning">待审核</span>') == 1
    assert status.index("已通过") < status.index("待审核")


def test_the_review_list_shows_who_approved_and_who_is_still_to(
    signed: Field, dept_admin: User, other_dept_admin: User
) -> None:
    # given
    record_review(actor=dept_admin, record=signed.record, decision=ReviewDecision.APPROVED)

    # when 公安局's admin opens its review list
    html = _client(other_dept_admin).get("/field/").content.decode()

    # then the record waits for it, and 市场监管局 has approved
    status = html[html.index('data-testid="review-record-status"') :]
    status = status[: status.index("</div>")]
    assert "已通过" in status.split("·")[0]
    assert "待审核" in status.split("·")[1]


def test_the_inspectors_record_page_shows_the_return_comment_with_who_and_when(
    signed: Field, other_dept_admin: User, other_inspector_user: User
) -> None:
    # given 公安局 returned the record asking for a new signature
    (review,) = record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="签字人身份不清，请法定代表人重新签字",
        resign_required=True,
    )

    # when the inspector opens the record on the phone
    html = _client(other_inspector_user).get(f"/field/records/{signed.record.pk}/").content.decode()

    # then the comment is at the top with the reviewer and the time, and the way to sign again
    comment = html.index('data-testid="return-comment"')
    assert comment < html.index('id="h-entity"')
    assert "晋州市公安局退回，请按审核意见更正后重新提交" in html
    assert '<p class="fs-5 my-1">签字人身份不清，请法定代表人重新签字</p>' in html
    assert f"审核人：{other_dept_admin} · {_when(review)}" in html
    assert "要求检查对象重新签字</strong>：尚未重新签字" in html
    assert f'href="/field/records/{signed.record.pk}/resign/"' in html


def test_the_review_form_returns_asking_for_a_new_signature(
    signed: Field, other_dept_admin: User
) -> None:
    # given / when
    response = _client(other_dept_admin).post(
        f"/field/records/{signed.record.pk}/review/",
        {"decision": "returned", "comment": "请重新签字", "resign_required": "on"},
    )

    # then
    assert response.status_code == 302
    review = DepartmentReview.objects.get(record=signed.record)
    assert (review.decision, review.resign_required) == (ReviewDecision.RETURNED, True)


def test_the_enterprise_signs_again_from_the_phone_and_the_page_says_so(
    signed: Field, other_dept_admin: User, other_inspector_user: User
) -> None:
    # given
    record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="请重新签字",
        resign_required=True,
    )
    client = _client(other_inspector_user)

    # when the phone sends the new signature
    response = client.post(
        f"/field/records/{signed.record.pk}/resign/",
        json.dumps({"party": {"name": "李四", "role": "legal_rep", "signature": signature()}}),
        content_type="application/json",
    )

    # then
    assert response.status_code == 200
    assert response.json() == {"ok": True, "next": f"/field/records/{signed.record.pk}/fill/"}
    record = JointRecord.objects.get(pk=signed.record.pk)
    assert (record.state, record.party_name) == (RecordState.RETURNED, "李四")
    page = client.get(f"/field/records/{signed.record.pk}/").content.decode()
    assert "要求检查对象重新签字</strong>：已重新签字" in page
    assert 'data-testid="open-resign"' not in page


def test_a_blank_new_signature_from_the_phone_is_refused_in_chinese(
    signed: Field, other_dept_admin: User, other_inspector_user: User
) -> None:
    # given
    record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="请重新签字",
        resign_required=True,
    )
    before = AuditEvent.objects.count()

    # when
    response = _client(other_inspector_user).post(
        f"/field/records/{signed.record.pk}/resign/",
        json.dumps({"party": {"name": "李四", "role": "legal_rep", "signature": ""}}),
        content_type="application/json",
    )

    # then
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["errors"] == ["检查对象签名为空，请在签字框内签字"]
    assert JointRecord.objects.get(pk=signed.record.pk).party_name == "张三"
    assert AuditEvent.objects.count() == before
