# ruff: noqa: E501  -- one row per URL, one column per persona
"""The public pages: everyone, no login (rows of the access matrix, docs/access.md).

A task page is public once the task leaves 草稿 (the campaigns world's task is published);
its bundle exists only after the draw.  An unknown task is 404 for everyone.

The 检查结果告知书 of an approved record (built here: a record of the market department,
checked and signed by 李检查 alone, approved) opens for whoever may read the record — as
the record itself: everyone but the police admin and 王检查; a record not yet approved
has none (the inspections world's record, waiting for review).
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from django.urls import reverse

from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.tests.factories import EntityFactory
from spotcheck.inspections.choices import RecordState, SignerRole
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.inspections.tests.field_setup import signature
from spotcheck.publicity.result_notice import result_notice_issue
from spotcheck.testing.access_matrix import LOGIN, NOT_FOUND, OK, Case, Request, World

EVERYONE = (OK, OK, OK, OK, OK, OK, OK, OK, OK)
NOBODY = (NOT_FOUND,) * 9
# signed in, and the record or publication in the user's scope (none in this world)
SIGNED_IN_NONE_IN_SCOPE = (LOGIN,) + (NOT_FOUND,) * 8
# the outbox to 国家企业信用信息公示系统: the platform admin only
PLATFORM_ONLY = (LOGIN, OK) + (NOT_FOUND,) * 7

# the readers of the record: everyone but the police admin and 王检查
RECORD_READERS = (LOGIN, OK, OK, OK, NOT_FOUND, OK, OK, NOT_FOUND, OK)


def build(w: World) -> SimpleNamespace:
    """An approved record of the market department with its 检查结果告知书."""
    lead_item = make_item(w.departments.lead_office, "ZF-NOTICE-1")
    item = make_item(w.departments.market, "SC-NOTICE-1", name="食品经营许可情况")
    task = make_task(
        w.departments,
        w.regions,
        w.users["lead_admin"],
        [(w.departments.lead_office, [lead_item]), (w.departments.market, [item])],
        number="晋州市政府办抽查〔2026〕21号",
    )
    entity = EntityFactory(
        name="晋州市庚食品有限公司", supervising_departments=[w.departments.market]
    )
    group = make_group(task, [w.own_inspector])
    record = make_record(task, entity, group, [item])
    inspector = w.users["inspector"]
    record_entries_save(
        actor=inspector,
        record=record,
        submission_id=uuid.uuid4(),
        entries=[
            ItemEntry(item_id=record.items.get().pk, findings="证照齐全", codes=("1",), notes="")
        ],
    )
    record_sign(
        actor=inspector,
        record=record,
        submission_id=uuid.uuid4(),
        party=PartySignoff(name="张三", role=SignerRole.LEGAL_REP, signature=signature()),
        member_signatures={m.pk: signature() for m in group.members.all()},
    )
    # the review stands in here: the review pages have their own rows
    JointRecord.objects.filter(pk=record.pk).update(state=RecordState.APPROVED)
    record.refresh_from_db()
    result_notice_issue(actor=w.users["dept_admin"], record=record)
    return SimpleNamespace(record=record)


def _notice_pdf(w: World) -> Request:
    return Request(
        "get", reverse("publicity:result_notice_pdf", args=[w.app["publicity"].record.pk])
    )


def _notice_pdf_not_approved(w: World) -> Request:
    return Request(
        "get", reverse("publicity:result_notice_pdf", args=[w.app["inspections"].record.pk])
    )


def _task(w: World) -> int:
    return w.app["campaigns"].task.pk


# fmt: off
CASES: dict[str, Case] = {
    "publicity:home":                Case(lambda w: Request("get", reverse("publicity:home")), EVERYONE),
    "publicity:items":               Case(lambda w: Request("get", reverse("publicity:items")), EVERYONE),
    "publicity:plans":               Case(lambda w: Request("get", reverse("publicity:plans")), EVERYONE),
    "publicity:tasks":               Case(lambda w: Request("get", reverse("publicity:tasks")), EVERYONE),
    "publicity:task_detail":         Case(lambda w: Request("get", reverse("publicity:task_detail", args=[_task(w)])), EVERYONE),
    "publicity:task_detail unknown": Case(lambda w: Request("get", reverse("publicity:task_detail", args=[999999])), NOBODY),
    "publicity:task_bundle":         Case(lambda w: Request("get", reverse("publicity:task_bundle", args=[_task(w)])), NOBODY),
    "publicity:attempt_bundle":      Case(lambda w: Request("get", reverse("publicity:attempt_bundle", args=[_task(w), 1])), NOBODY),
    # published results, the enterprise look-up and open data: public, no login
    "publicity:results":             Case(lambda w: Request("get", reverse("publicity:results")), EVERYONE),
    "publicity:result_detail":       Case(lambda w: Request("get", reverse("publicity:result_detail", args=[999999])), NOBODY),
    "publicity:lookup":              Case(lambda w: Request("get", reverse("publicity:lookup"), {"q": "晋州市甲食品"}), EVERYONE),
    "publicity:open_data":           Case(lambda w: Request("get", reverse("publicity:open_data")), EVERYONE),
    "publicity:open_data_file":      Case(lambda w: Request("get", reverse("publicity:open_data_file", args=[2026, "json"])), EVERYONE),
    "publicity:open_data_api":       Case(lambda w: Request("get", reverse("publicity:open_data_api")), EVERYONE),
    "publicity:record_results":      Case(lambda w: Request("get", reverse("publicity:record_results", args=[999999])), SIGNED_IN_NONE_IN_SCOPE),
    "publicity:result_notice_pdf":   Case(_notice_pdf, RECORD_READERS),
    "publicity:result_notice_pdf not approved": Case(_notice_pdf_not_approved, SIGNED_IN_NONE_IN_SCOPE),
    "publicity:correct":             Case(lambda w: Request("get", reverse("publicity:correct", args=[999999])), SIGNED_IN_NONE_IN_SCOPE),
    "publicity:outbox":              Case(lambda w: Request("get", reverse("publicity:outbox")), PLATFORM_ONLY),
    "publicity:outbox_export":       Case(lambda w: Request("get", reverse("publicity:outbox_export", args=["csv"])), PLATFORM_ONLY),
    "publicity:outbox_resend":       Case(lambda w: Request("post", reverse("publicity:outbox_resend", args=[999999])), SIGNED_IN_NONE_IN_SCOPE),
}
# fmt: on
