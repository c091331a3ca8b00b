# ruff: noqa: E501  -- one row per URL, one column per persona
"""The integration API, called with each persona's token (rows of the access matrix).

Same scope as the pages: a record outside the caller's scope is 404; no token is 401; a
role that may not use an endpoint at all (an inspector or auditor syncing the directory)
is 403.  The sync rows send a row the services refuse (an unknown region code), so the
matrix writes nothing; spotcheck/api/tests/test_api.py tests the writes themselves.

Result submission on the record (its only item is the market department's, its group is
李检查 alone, nothing entered yet): entries, photos and signing answer 403 to a reader who
is not in the group (谁检查、谁录入) and 400 to 李检查, whom the service refuses (a result
code the item does not offer, a file that is no photo, a signature before every item is
entered).  The review answers 403 to a reader with no items to review and 400 to the
market department's admins, its parent and the platform admin (the record is not submitted
yet).  spotcheck/api/tests/test_result_submission.py tests the writes themselves.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spotcheck.api.services import api_token_issue
from spotcheck.directory.models import Entity, Inspector
from spotcheck.inspections.models import (
    DepartmentReview,
    FieldSubmission,
    JointRecord,
    RecordItem,
    RecordPhoto,
)
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.access_matrix import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    UNAUTHORISED,
    Case,
    Request,
    World,
)


def build(w: World) -> dict[str, Any]:
    tokens = {
        role: api_token_issue(actor=None, user=user, name=f"矩阵-{role}")[1]
        for role, user in w.users.items()
    }
    campaigns = w.app["campaigns"]
    group = make_group(campaigns.task, [w.own_inspector])
    record = make_record(
        campaigns.task, w.app["directory"].own_entity, group, [campaigns.market_item]
    )
    return {"tokens": tokens, "records": SimpleNamespace(own=record)}


def _get(name: str, *args: Any) -> Any:
    return lambda w: Request("get", reverse(name, args=args))


def _entity(which: str) -> Any:
    def request(w: World) -> Request:
        d = w.app["directory"]
        entity = d.own_entity if which == "own" else d.other_entity
        return Request("get", reverse("api:entity_detail", args=[entity.pk]))

    return request


def _inspector(which: str) -> Any:
    def request(w: World) -> Request:
        inspector = w.own_inspector if which == "own" else w.other_inspector
        return Request("get", reverse("api:inspector_detail", args=[inspector.pk]))

    return request


def _entity_sync(w: World) -> Request:
    row = {
        "uscc": w.app["directory"].own_entity.uscc,
        "name": "改名有限公司",
        "region": "000000",
    }
    return Request("post", reverse("api:entity_sync"), {"entities": [row]}, json=True)


def _inspector_sync(w: World) -> Request:
    row = {"certificate_no": w.own_inspector.certificate_no, "department": 2**31 - 1}
    return Request("post", reverse("api:inspector_sync"), {"inspectors": [row]}, json=True)


def _task(name: str) -> Any:
    return lambda w: Request("get", reverse(name, args=[w.app["campaigns"].task.pk]))


def _record(w: World) -> Request:
    return Request("get", reverse("api:record_detail", args=[w.app["api"]["records"].own.pk]))


def _record_post(name: str, data: dict[str, Any]) -> Any:
    def request(w: World) -> Request:
        record = w.app["api"]["records"].own
        return Request("post", reverse(name, args=[record.pk]), data, json=True)

    return request


def _entries(w: World) -> Request:
    record = w.app["api"]["records"].own
    row = {"id": record.items.get().pk, "findings": "证照齐全", "codes": ["1", "Z9"]}
    body = {"submission_id": "5d0c1d2e-0000-4000-8000-0000000000a1", "items": [row]}
    return Request("post", reverse("api:record_entries", args=[record.pk]), body, json=True)


def _photo(w: World) -> Request:
    record = w.app["api"]["records"].own
    return Request(
        "post",
        reverse("api:record_photos", args=[record.pk]),
        {
            "item": record.items.get().pk,
            "client_id": "5d0c1d2e-0000-4000-8000-0000000000a2",
            "photo": SimpleUploadedFile("photo.jpg", b"not a photo", content_type="image/jpeg"),
        },
    )


SIGN = {
    "submission_id": "5d0c1d2e-0000-4000-8000-0000000000a3",
    "party": {"refused": True, "refusal_reason": "拒绝签字", "witness_name": "赵见证"},
    "members": [],
}


def _record_writes() -> tuple[Any, ...]:
    return (
        list(JointRecord.objects.order_by("pk").values_list("state", "version", "signed_at")),
        list(RecordItem.objects.order_by("pk").values_list("findings", "entered_at")),
        FieldSubmission.objects.count(),
        RecordPhoto.objects.count(),
        DepartmentReview.objects.count(),
    )


def _names() -> list[tuple[str, str]]:
    return sorted(Entity.objects.values_list("uscc", "name")) + sorted(
        (i.certificate_no, str(i.department_id)) for i in Inspector.objects.all()
    )


EVERYONE = (OK,) * 9
SIGNED_IN = (UNAUTHORISED, OK, OK, OK, OK, OK, OK, OK, OK)
WRITERS = (UNAUTHORISED, OK, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
TASK_VIEWERS = (UNAUTHORISED, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, OK)
BAD_REQUEST = "400"  # the service refused what an allowed caller sent
# entries, photos, signing: the group's member only (refused here: 400); readers 403
MEMBER = (
    UNAUTHORISED,
    FORBIDDEN,
    FORBIDDEN,
    FORBIDDEN,
    NOT_FOUND,
    FORBIDDEN,
    BAD_REQUEST,
    NOT_FOUND,
    FORBIDDEN,
)
# review: the admins of the item's department and above (refused here: 400); readers 403
REVIEWERS = (
    UNAUTHORISED,
    BAD_REQUEST,
    FORBIDDEN,
    BAD_REQUEST,
    NOT_FOUND,
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    FORBIDDEN,
)

# fmt: off
CASES: dict[str, Case] = {
    #                                                                anonymous     platform lead dept       other      parent     insp       other      auditor
    "api:schema":               Case(_get("api:schema"),            EVERYONE),
    "api:docs":                 Case(_get("api:docs"),              EVERYONE),
    "api:department_list":      Case(_get("api:department_list"),   SIGNED_IN),
    "api:entity_list":          Case(_get("api:entity_list"),       SIGNED_IN),
    "api:entity_detail own":    Case(_entity("own"),                (UNAUTHORISED, OK,      OK,  OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, OK)),
    "api:entity_detail other":  Case(_entity("other"),              (UNAUTHORISED, OK,      OK,  NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "api:entity_sync":          Case(_entity_sync,                  WRITERS, _names),
    "api:inspector_list":       Case(_get("api:inspector_list"),    SIGNED_IN),
    "api:inspector_detail own":   Case(_inspector("own"),           (UNAUTHORISED, OK,      OK,  OK,        NOT_FOUND, OK,        OK,        NOT_FOUND, OK)),
    "api:inspector_detail other": Case(_inspector("other"),         (UNAUTHORISED, OK,      OK,  NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, OK,        OK)),
    "api:inspector_sync":       Case(_inspector_sync,               WRITERS, _names),
    "api:task_list":            Case(_get("api:task_list"),         SIGNED_IN),
    "api:task_detail":          Case(_task("api:task_detail"),      TASK_VIEWERS),
    "api:task_draws":           Case(_task("api:task_draws"),       TASK_VIEWERS),
    "api:record_list":          Case(_get("api:record_list"),       SIGNED_IN),
    # the record carries only a market item and the market inspector's group
    "api:record_detail own":    Case(_record,                       (UNAUTHORISED, OK,      OK,  OK,        NOT_FOUND, OK,        OK,        NOT_FOUND, OK)),
    "api:record_entries own":   Case(_entries,                      MEMBER, _record_writes),
    "api:record_photos own":    Case(_photo,                        MEMBER, _record_writes),
    "api:record_sign own":      Case(_record_post("api:record_sign", SIGN), MEMBER, _record_writes),
    "api:record_review own":    Case(_record_post("api:record_review", {"decision": "returned", "comment": ""}), REVIEWERS, _record_writes),
    "api:result_code_list":     Case(_get("api:result_code_list"),  SIGNED_IN),
    "api:public_task_list":     Case(_get("api:public_task_list"),  EVERYONE),
    "api:public_task_draws":    Case(_task("api:public_task_draws"), EVERYONE),
}
# fmt: on
