"""The auditor browses and filters the audit trail; nobody else sees it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import Department, User
from spotcheck.audit import events
from spotcheck.audit.models import AuditEvent
from spotcheck.audit.services import audit_record
from spotcheck.audit.tests.text import dotted_codes, visible_text
from spotcheck.testing.personas import Departments

pytestmark = pytest.mark.django_db
LIST = reverse("audit:event_list")


def _record(actor: User | None, event_type: str, target: Department | None = None) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=actor, event_type=event_type, target=target, data={"k": "值"})


def _seqs(response: object) -> list[int]:
    return [e.seq for e in response.context["page"].object_list]  # type: ignore[attr-defined]


def test_the_auditor_sees_every_entry_newest_first(
    persona_client: Callable[[str], Client], auditor: User
) -> None:
    # given
    total = AuditEvent.objects.count()

    # when
    response = persona_client("auditor").get(LIST)

    # then
    assert response.status_code == 200
    assert response.context["page"].paginator.count == total
    assert _seqs(response) == list(range(total, 0, -1))[: len(_seqs(response))]
    assert "审计日志" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["dept_admin", "other_dept_admin", "lead_admin", "inspector", "other_inspector"]
)
def test_officials_other_than_auditors_and_the_platform_admin_get_404(
    persona: str, persona_client: Callable[[str], Client], request: pytest.FixtureRequest
) -> None:
    # given
    request.getfixturevalue("auditor")
    first = AuditEvent.objects.order_by("seq").first()
    assert first is not None

    # when
    listing = persona_client(persona).get(LIST)
    detail = persona_client(persona).get(reverse("audit:event_detail", args=[first.seq]))

    # then
    assert listing.status_code == 404
    assert detail.status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    # given / when
    response = client.get(LIST)

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LIST}"


def test_the_filter_finds_entries_by_actor_action_prefix_and_target(
    persona_client: Callable[[str], Client],
    auditor: User,
    dept_admin: User,
    lead_admin: User,
    departments: Departments,
) -> None:
    # given
    mine = _record(dept_admin, "draw.committed", departments.market)
    _record(dept_admin, "directory.entity.updated", departments.market)
    _record(lead_admin, "draw.announced", departments.police)
    client = persona_client("auditor")

    # when
    by_actor_and_prefix = client.get(LIST, {"actor": "市场监管局管理员", "action": "draw."})
    by_login_name = client.get(LIST, {"actor": "market_admin", "action": "draw.committed"})
    by_target = client.get(
        LIST,
        {"target_type": "accounts.department", "target_id": str(departments.market.pk)},
    )

    # then
    assert _seqs(by_actor_and_prefix) == [mine.seq]
    assert _seqs(by_login_name) == [mine.seq]
    market_entries = AuditEvent.objects.filter(
        target_type="accounts.department", target_id=str(departments.market.pk)
    ).order_by("-seq")
    assert _seqs(by_target) == [e.seq for e in market_entries]
    assert mine.seq in _seqs(by_target)


def test_the_date_range_includes_both_local_days(
    persona_client: Callable[[str], Client], auditor: User
) -> None:
    # given: 23:59 on 1 March, 00:30 on 3 March and 00:00 on 4 March, Beijing time
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, 59, tzinfo=dt.UTC), tick=False):
        _record(None, events.CALENDAR_DAY_SET)
    with time_machine.travel(dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC), tick=False):
        inside = _record(None, events.CALENDAR_DAY_SET)
    with time_machine.travel(dt.datetime(2026, 3, 3, 16, 0, tzinfo=dt.UTC), tick=False):
        _record(None, events.CALENDAR_DAY_SET)

    # when
    response = persona_client("auditor").get(
        LIST,
        {"action": events.CALENDAR_DAY_SET, "date_from": "2026-03-02", "date_to": "2026-03-03"},
    )

    # then
    assert _seqs(response) == [inside.seq]


def test_a_reversed_date_range_is_explained_in_chinese(
    persona_client: Callable[[str], Client], auditor: User
) -> None:
    # given / when
    response = persona_client("auditor").get(
        LIST, {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )

    # then
    assert response.status_code == 200
    assert "截止日期不能早于起始日期。" in response.content.decode()


def test_the_list_is_paginated(
    persona_client: Callable[[str], Client], auditor: User, settings: object
) -> None:
    # given
    recorded = [_record(None, events.CALENDAR_DAY_SET) for _n in range(12)]
    settings.DIRECTORY_PAGE_SIZE = 10  # type: ignore[attr-defined]

    # when
    second = persona_client("auditor").get(LIST, {"action": "calendar.", "page": "2"})

    # then
    assert second.context["page"].paginator.num_pages == 2
    assert _seqs(second) == [recorded[1].seq, recorded[0].seq]


def test_an_entry_page_shows_the_change_and_both_hashes(
    persona_client: Callable[[str], Client], platform_admin: User, dept_admin: User
) -> None:
    # given
    event = _record(dept_admin, "test.detail")

    # when
    response = persona_client("platform_admin").get(reverse("audit:event_detail", args=[event.seq]))

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert event.entry_hash in body
    assert event.prev_hash in body
    assert "&quot;k&quot;: &quot;值&quot;" in body


def test_an_unknown_entry_is_404_for_the_auditor(
    persona_client: Callable[[str], Client], auditor: User
) -> None:
    # given / when
    response = persona_client("auditor").get(reverse("audit:event_detail", args=[999999]))

    # then
    assert response.status_code == 404


def test_the_list_names_events_and_object_types_in_chinese_and_shows_no_codes(
    persona_client: Callable[[str], Client],
    auditor: User,
    dept_admin: User,
    departments: Departments,
) -> None:
    # given
    entry = _record(dept_admin, events.DEPARTMENT_UPDATED, departments.market)
    _record(None, events.DEMO_FIELD_LOADED)

    # when
    page = persona_client("auditor").get(LIST).content.decode()

    # then
    text = visible_text(page)
    assert f"{entry.seq} " in text
    assert "修改监管部门" in text
    assert f"晋州市市场监督管理局 监管部门 · 编号 {departments.market.pk}" in text
    assert "载入现场检查演练" in text
    assert "全部随机抽取事件" in text  # the event filter offers groups by name
    assert '<option value="accounts.department">监管部门</option>' in page
    assert dotted_codes(page) == []


def test_an_entry_page_names_its_event_and_object_type_in_chinese(
    persona_client: Callable[[str], Client], auditor: User, departments: Departments
) -> None:
    # given
    entry = _record(None, events.DEPARTMENT_UPDATED, departments.market)

    # when
    page = persona_client("auditor").get(reverse("audit:event_detail", args=[entry.seq]))

    # then
    text = visible_text(page.content.decode())
    assert "事件类型 修改监管部门" in text
    assert f"（监管部门 · 编号 {departments.market.pk}）" in text
    assert dotted_codes(page.content.decode()) == []


def test_an_event_type_outside_the_table_is_refused_by_the_filter_in_chinese(
    persona_client: Callable[[str], Client], auditor: User
) -> None:
    # given / when
    response = persona_client("auditor").get(LIST, {"action": "no.such."})

    # then
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


def test_an_entry_page_shows_a_change_of_role_in_chinese_beside_the_raw_record(
    persona_client: Callable[[str], Client], auditor: User, dept_admin: User
) -> None:
    # given: an account whose role was changed from inspector to department admin
    with transaction.atomic():
        entry = audit_record(
            actor=None,
            event_type=events.USER_UPDATED,
            target=dept_admin,
            data={"changes": {"role": ["inspector", "dept_admin"]}, "reason": "岗位调整"},
        )

    # when
    page = persona_client("auditor").get(reverse("audit:event_detail", args=[entry.seq]))

    # then: the table names the field and the roles in Chinese, the raw record is kept
    text = visible_text(page.content.decode())
    assert "角色 执法检查人员 部门管理员" in text
    assert "理由 岗位调整" in text
    assert "&quot;role&quot;: [" in page.content.decode()
