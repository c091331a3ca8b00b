# ruff: noqa: E501  -- one row per URL, one column per persona
"""一企一表 records, the inbox, merged visits and the field work (rows of the access matrix, docs/access.md).

The world is a joint task of the lead office (晋州市人民政府办公室) with 晋州市市场监督管理局
taking part, and one 一企一表 record of a market-supervised enterprise: its only item is
the market department's, its group is 李检查 (the ``inspector`` persona) alone.  The record
has been entered, photographed and signed on site, so it is frozen and waits for review.

Who reads it: the platform admin, the lead office and the auditor (every record), the market
admin and the 石家庄 parent admin (an item of their subtree), and 李检查 (a member of its group).
The police admin and 王检查 (the other inspector) are outside: 404 everywhere.

Writes: an HTML form answers with a redirect and a message (DONE) whether or not it went
through, so every form below sends what the service refuses even for the insiders (a notice
"delivered" in the future, a return without a comment, a confirmation before approval,
a record merged into itself, a schedule of a frozen record).  The phone's JSON endpoints
answer 403 to a reader who is not a member of the group (谁检查、谁录入) and 400 to the
member, whom the service refuses because the record is frozen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.tests.factories import EntityFactory
from spotcheck.inspections.choices import SignerRole
from spotcheck.inspections.models import (
    DepartmentReview,
    FieldSubmission,
    InspectorSignature,
    JointRecord,
    NoticeDelivery,
    RecordPhoto,
    VisitMerge,
)
from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
from spotcheck.inspections.services.photos import record_photo_add
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.inspections.tests.field_setup import jpeg, signature
from spotcheck.testing.access_matrix import (
    DONE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    Case,
    Request,
    World,
)

BAD_REQUEST = "400"  # the phone's JSON endpoints: the service refused the member's data


@dataclass(frozen=True)
class InspectionsWorld:
    task: Task
    record: JointRecord
    photo: RecordPhoto
    member_signature: InspectorSignature


def build(w: World) -> InspectionsWorld:
    lead_item = make_item(w.departments.lead_office, "ZF-INSP-1")
    market_item = make_item(w.departments.market, "SC-INSP-1", name="食品经营许可情况")
    task = make_task(
        w.departments,
        w.regions,
        w.users["lead_admin"],
        [(w.departments.lead_office, [lead_item]), (w.departments.market, [market_item])],
        number="晋州市政府办抽查〔2026〕20号",
    )
    entity = EntityFactory(
        name="晋州市己食品有限公司", supervising_departments=[w.departments.market]
    )
    group = make_group(task, [w.own_inspector])
    record = make_record(task, entity, group, [market_item])
    row = record.items.get()
    inspector = w.users["inspector"]
    # on site: the entries, a photo, then every signature (the record is frozen and submitted)
    record_entries_save(
        actor=inspector,
        record=record,
        submission_id=uuid.uuid4(),
        entries=[ItemEntry(item_id=row.pk, findings="证照齐全，台账完整", codes=("1",), notes="")],
    )
    photo, _ = record_photo_add(
        actor=inspector, record=record, item=row, data=jpeg(), client_id=uuid.uuid4()
    )
    record_sign(
        actor=inspector,
        record=record,
        submission_id=uuid.uuid4(),
        party=PartySignoff(name="张三", role=SignerRole.LEGAL_REP, signature=signature()),
        member_signatures={m.pk: signature() for m in group.members.all()},
    )
    record.refresh_from_db()
    return InspectionsWorld(
        task=task,
        record=record,
        photo=photo,
        member_signature=record.signatures.get(),
    )


def _i(w: World) -> InspectionsWorld:
    return w.app["inspections"]


def _get(name: str, *args: Any):  # type: ignore[no-untyped-def]
    """GET ``name`` of the record (``args`` follow the record's pk)."""
    return lambda w: Request("get", reverse(name, args=[_i(w).record.pk, *args]))


def _form(name: str, data: dict[str, str], back: str = "inspections:field_final"):  # type: ignore[no-untyped-def]
    """POST a form on the record; it comes back to ``back`` with a message."""

    def request(w: World) -> Request:
        pk = _i(w).record.pk
        return Request("post", reverse(name, args=[pk]), data, reverse(back, args=[pk]))

    return request


def _json(name: str, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return lambda w: Request("post", reverse(name, args=[_i(w).record.pk]), data, json=True)


def _photo_upload(w: World) -> Request:
    record = _i(w).record
    return Request(
        "post",
        reverse("inspections:field_photo_upload", args=[record.pk]),
        {
            "item": record.items.get().pk,
            "client_id": str(uuid.uuid4()),
            "photo": SimpleUploadedFile("photo.jpg", jpeg((64, 48)), content_type="image/jpeg"),
        },
    )


def _merge_into_itself(w: World) -> Request:
    pk = _i(w).record.pk
    return Request(
        "post",
        reverse("inspections:merge_decide", args=[pk, pk]),
        {"decision": "accept", "reason": ""},
        reverse("inspections:merge_list"),
    )


def _records() -> list[tuple[Any, ...]]:
    return list(
        JointRecord.objects.order_by("pk").values_list(
            "state",
            "version",
            "review_round",
            "planned_on",
            "materials",
            "merged_into",
            "lead_confirmed_at",
        )
    )


def _field_writes() -> tuple[Any, ...]:
    return (
        _records(),
        FieldSubmission.objects.count(),
        RecordPhoto.objects.count(),
        NoticeDelivery.objects.count(),
        DepartmentReview.objects.count(),
        VisitMerge.objects.count(),
    )


# the readers of the record: everyone but the police admin and 王检查
READERS = (LOGIN, OK, OK, OK, NOT_FOUND, OK, OK, NOT_FOUND, OK)
# a form on the record, refused by the service, back to the page with a message
READERS_POST = (LOGIN, DONE, DONE, DONE, NOT_FOUND, DONE, DONE, NOT_FOUND, DONE)
# the phone's endpoints: 403 to a reader who is not in the group, 400 to the member (frozen)
MEMBER_JSON = (
    LOGIN,
    FORBIDDEN,
    FORBIDDEN,
    FORBIDDEN,
    NOT_FOUND,
    FORBIDDEN,
    BAD_REQUEST,
    NOT_FOUND,
    FORBIDDEN,
)
NOBODY = (LOGIN,) + (NOT_FOUND,) * 8

SYNC = {
    "submission_id": "5d0c1d2e-0000-4000-8000-000000000001",
    "items": [],
    "started_at": "2026-03-02T09:00",
}
SIGN = {
    "submission_id": "5d0c1d2e-0000-4000-8000-000000000002",
    "party": {"refused": True, "refusal_reason": "拒绝签字", "witness_name": "赵见证"},
    "members": {},
}

# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                                       anonymous platform   lead       dept       other      parent     insp       other      auditor
    "inspections:record_list":           Case(lambda w: Request("get", reverse("inspections:record_list", args=[_i(w).task.pk])), READERS),
    "inspections:record_list unknown":   Case(lambda w: Request("get", reverse("inspections:record_list", args=[999999])),      NOBODY),
    "inspections:record_detail":         Case(_get("inspections:record_detail"), READERS),
    "inspections:record_pdf":            Case(_get("inspections:record_pdf"),    READERS),
    "inspections:inbox":                 Case(lambda w: Request("get", reverse("inspections:inbox")),                            (LOGIN,    OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "inspections:merge_list":            Case(lambda w: Request("get", reverse("inspections:merge_list")),                       (LOGIN,    OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, OK)),
    # only the lead office of the task (or the platform admin) decides; a record into itself is refused
    "inspections:merge_decide":          Case(_merge_into_itself,                                                                (LOGIN,    DONE,      DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), _field_writes),
    # the field area: an inspector's records, an admin's review queue, the lead office's confirmations
    "inspections:field_home":            Case(lambda w: Request("get", reverse("inspections:field_home")),                       (LOGIN,    OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    # the service worker is a script, public like the static files
    "inspections:field_sw":              Case(lambda w: Request("get", reverse("inspections:field_sw")),                         (OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    # so is the web app manifest: the browser fetches it without the session cookie
    "inspections:field_manifest":        Case(lambda w: Request("get", reverse("inspections:field_manifest")),                   (OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "inspections:field_record":          Case(_get("inspections:field_record"),     READERS),
    "inspections:field_notice_pdf":      Case(_get("inspections:field_notice_pdf"), READERS),
    # members only; the frozen record refuses the member's new schedule
    "inspections:field_schedule":        Case(_form("inspections:field_schedule", {"planned_on": "2026-04-01", "materials": "营业执照"}, "inspections:field_record"), READERS_POST, _field_writes),
    # a notice "delivered" in the future is refused, even to the member
    "inspections:field_notice_delivery": Case(_form("inspections:field_notice_delivery", {"method": "phone", "delivered_at": "2099-01-01T09:00"}, "inspections:field_record"), READERS_POST, _field_writes),
    "inspections:field_fill":            Case(_get("inspections:field_fill"),                                                    (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND)),
    "inspections:field_sync":            Case(_json("inspections:field_sync", SYNC), MEMBER_JSON, _field_writes),
    # a conflict that does not exist on the record is not found, whoever asks
    "inspections:field_conflict_settle unknown": Case(lambda w: Request("post", reverse("inspections:field_conflict_settle", args=[_i(w).record.pk, 999999]), {"choice": "current"}), NOBODY, _field_writes),
    "inspections:field_sign":            Case(_json("inspections:field_sign", SIGN), MEMBER_JSON, _field_writes),
    "inspections:field_photo_upload":    Case(_photo_upload,                         MEMBER_JSON, _field_writes),
    "inspections:field_photo":           Case(lambda w: Request("get", reverse("inspections:field_photo", args=[_i(w).photo.pk])), READERS),
    "inspections:field_photo_delete":    Case(lambda w: Request("post", reverse("inspections:field_photo_delete", args=[_i(w).photo.pk])), MEMBER_JSON, _field_writes),
    "inspections:field_signature":       Case(_get("inspections:field_signature", "party"), READERS),
    "inspections:field_signature unknown": Case(_get("inspections:field_signature", "witness"), NOBODY),
    "inspections:field_signature_member": Case(lambda w: Request("get", reverse("inspections:field_signature_member", args=[_i(w).record.pk, "member", _i(w).member_signature.pk])), READERS),
    "inspections:field_final":           Case(_get("inspections:field_final"),     READERS),
    "inspections:field_final_pdf":       Case(_get("inspections:field_final_pdf"), READERS),
    # a return without a comment is refused (the lead office, the inspector and the auditor have nothing to review)
    "inspections:field_review":          Case(_form("inspections:field_review", {"decision": "returned", "comment": ""}), READERS_POST, _field_writes),
    # not approved yet: nobody confirms
    "inspections:field_lead_confirm":    Case(_form("inspections:field_lead_confirm", {}), READERS_POST, _field_writes),
    # the enterprise signs again: a member's page; the record was not returned asking for it, so the member is refused
    "inspections:field_resign":          Case(_get("inspections:field_resign"),                                                  (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND)),
    "inspections:field_resign post":     Case(_json("inspections:field_resign", {"party": {"name": "张三", "role": "legal_rep", "signature": ""}}), MEMBER_JSON, _field_writes),
}
# fmt: on
