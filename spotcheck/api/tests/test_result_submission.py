"""Submitting results through the API: the phone pages' services, driven by a token.

The record (build_field): 丁's 一企一表 with a 市场监管局 item (食品经营许可情况) and a
公安局 item (保安服务许可情况); its group is 李检查 (市场监管局, the ``inspector_user``)
and 王检查 (公安局, the ``other_inspector_user``).
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import (
    DepartmentReview,
    FieldSubmission,
    JointRecord,
    RecordItem,
    RecordPhoto,
    RecordVersion,
)
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.inspections.tests.field_setup import Field, build_field, jpeg, signature
from spotcheck.testing.personas import Catalogue, Departments, Regions

pytestmark = pytest.mark.django_db

MARKET_ITEM = "食品经营许可情况"


@pytest.fixture
def field(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> Field:
    return build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )


def _client(user: User) -> Client:
    _token, key = api_token_issue(actor=None, user=user, name="业务系统")
    return Client(headers={"Authorization": f"Token {key}"})


def _post(client: Client, name: str, record: JointRecord, body: dict[str, Any]) -> Any:
    return client.post(
        reverse(name, args=[record.pk]), json.dumps(body), content_type="application/json"
    )


def _entries(item: RecordItem, codes: list[str], **extra: Any) -> dict[str, Any]:
    findings = extra.pop("findings", "证照齐全，台账完整")
    return {
        "submission_id": str(uuid.uuid4()),
        "items": [{"id": item.pk, "findings": findings, "codes": codes}],
        **extra,
    }


def _upload(client: Client, record: JointRecord, item: RecordItem, data: bytes, **kw: str) -> Any:
    return client.post(
        reverse("api:record_photos", args=[record.pk]),
        {
            "item": item.pk,
            "client_id": kw.get("client_id", str(uuid.uuid4())),
            "photo": SimpleUploadedFile(kw.get("name", "a.jpg"), data, content_type="image/jpeg"),
        },
    )


def _sign_body(field: Field, **party: Any) -> dict[str, Any]:
    return {
        "submission_id": str(uuid.uuid4()),
        "party": party or {"name": "张三", "role": "legal_rep", "signature": signature()},
        "members": [{"member": m.pk, "signature": signature()} for m in field.group.members.all()],
    }


def _codes(item: RecordItem) -> list[str]:
    return sorted(item.result_codes.values_list("code", flat=True))


def _writes() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        FieldSubmission.objects.count(),
        RecordPhoto.objects.count(),
        RecordVersion.objects.count(),
        DepartmentReview.objects.count(),
    )


def _enter_all(field: Field, market: Client, police: Client) -> None:
    for client, item in ((market, field.market_item), (police, field.police_item)):
        response = _post(client, "api:record_entries", field.record, _entries(item, ["1"]))
        assert response.status_code == 200, response.json()


def _signed(field: Field, market: Client, police: Client) -> None:
    _enter_all(field, market, police)
    response = _post(market, "api:record_sign", field.record, _sign_body(field))
    assert response.status_code == 200, response.json()


# --------------------------------------------------------------------------- reading


def test_the_record_detail_gives_what_a_submission_needs(
    field: Field, inspector_user: User
) -> None:
    # given / when
    response = _client(inspector_user).get(reverse("api:record_detail", args=[field.record.pk]))

    # then
    body = response.json()
    market = next(i for i in body["items"] if i["id"] == field.market_item.pk)
    assert market["item"] == "SJ-01"
    assert market["options"] == list(
        field.market_item.item.result_codes.order_by("sort", "code").values_list("code", flat=True)
    )
    assert len(market["options"]) == len(_result_codes(inspector_user))
    assert [(m["id"], m["name"], m["is_leader"]) for m in body["members"]] == [
        (m.pk, m.inspector.name, m.is_leader) for m in field.group.members.all()
    ]
    assert (body["version"], body["review_round"], body["signed_at"]) == (0, 0, None)


def _result_codes(user: User) -> list[dict[str, Any]]:
    response = _client(user).get(reverse("api:result_code_list"))
    assert response.status_code == 200
    return response.json()


def test_the_result_code_table_carries_its_rules(inspector_user: User) -> None:
    # given / when
    codes = {c["code"]: c for c in _result_codes(inspector_user)}

    # then
    assert codes["1"] == {
        "code": "1",
        "label": "未发现问题",
        "parent": None,
        "exclusive": True,
        "requires_child": False,
        "terminal": False,
        "needs_follow_up": False,
    }
    assert (codes["2"]["parent"], codes["2"]["requires_child"]) == ("A", True)


# --------------------------------------------------------------------------- entries


def test_entries_are_saved_through_the_service_and_audited(
    field: Field, inspector_user: User
) -> None:
    # given
    body = _entries(field.market_item, ["B"], findings="年报未公示", started_at="2026-03-02T09:00")

    # when
    response = _post(_client(inspector_user), "api:record_entries", field.record, body)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "submission_id": body["submission_id"],
        "duplicate": False,
        "record": field.record.pk,
        "state": "entered",
        "version": 0,
        "items": [
            {"item": field.market_item.pk, "result": "applied", "version": 1, "conflict": None}
        ],
    }
    field.market_item.refresh_from_db()
    assert (field.market_item.findings, field.market_item.entered_by) == (
        "年报未公示",
        inspector_user,
    )
    assert _codes(field.market_item) == ["2", "A", "B"]
    event = AuditEvent.objects.get(event_type="inspections.record.entries_saved")
    assert (event.actor, event.target_id) == (inspector_user, str(field.record.pk))
    assert event.data["submission"] == body["submission_id"]
    assert event.data["items"] == [
        {
            "item": "SJ-01",
            "codes": ["A", "2", "B"],
            "findings": "年报未公示",
            "base_version": None,
            "result": "applied",
            "version": 1,
        }
    ]


def test_a_replay_gives_the_same_answer_and_writes_nothing(
    field: Field, inspector_user: User
) -> None:
    # given
    client = _client(inspector_user)
    body = _entries(field.market_item, ["1"])
    first = _post(client, "api:record_entries", field.record, body)
    before = _writes()

    # when the system sends the same submission again, even with other content
    changed = {**body, "items": [{**body["items"][0], "findings": "被改过的内容"}]}
    again = _post(client, "api:record_entries", field.record, changed)

    # then
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {**first.json(), "duplicate": True}
    assert _writes() == before
    field.market_item.refresh_from_db()
    assert field.market_item.findings == "证照齐全，台账完整"


def test_a_submission_id_sent_by_another_user_is_refused(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given 李检查's submission
    body = _entries(field.market_item, ["1"])
    _post(_client(inspector_user), "api:record_entries", field.record, body)
    police = _client(other_inspector_user)
    before = _writes()

    # when 王检查 sends his own item under the same id
    theirs = {**body, "items": [{"id": field.police_item.pk, "findings": "x", "codes": ["1"]}]}
    response = _post(police, "api:record_entries", field.record, theirs)

    # then
    assert response.status_code == 400
    assert response.json() == {
        "submission_id": ["提交编号已用于另一次提交，请为每次提交生成新的编号"]
    }
    assert _writes() == before


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["1", "3"], "“未发现问题”不能与其他检查结果同时选择"),
        (["A"], "选择“发现问题待后续处理”时，须选择具体的问题类别"),
        (["Z9"], "检查结果“Z9”不是本事项的可选结果"),
    ],
    ids=["exclusive_with_another_case", "parent_without_child_case", "unknown_code_case"],
)
def test_a_result_breaking_the_code_rules_is_400_and_nothing_is_written(
    field: Field, inspector_user: User, codes: list[str], message: str
) -> None:
    # given
    client = _client(inspector_user)
    before = _writes()

    # when
    response = _post(client, "api:record_entries", field.record, _entries(field.market_item, codes))

    # then
    assert response.status_code == 400
    assert response.json() == {"items": [f"{MARKET_ITEM}：{message}"]}
    assert _writes() == before
    field.market_item.refresh_from_db()
    assert (field.market_item.findings, _codes(field.market_item)) == ("", [])


def test_a_malformed_body_is_400_with_chinese_field_errors(
    field: Field, inspector_user: User
) -> None:
    # given
    body = {
        "submission_id": "不是编号",
        "items": [
            {"id": field.market_item.pk, "codes": "1"},
            {"id": field.market_item.pk, "findings": "x" * 5001},
        ],
        "latitude": 91,
    }

    # when
    response = _post(_client(inspector_user), "api:record_entries", field.record, body)

    # then
    assert response.status_code == 400
    errors = response.json()
    assert errors["submission_id"] == ["必须是有效的 UUID。"]
    assert errors["items"] == {
        "0": {"codes": ["期望为一个包含物件的列表，得到的类型是“str”。"]},
        "1": {"findings": ["请确保这个字段不能超过 5000 个字符。"]},
    }
    assert errors["latitude"] == ["请确保该值小于或者等于 90。"]
    assert not FieldSubmission.objects.exists()


def test_the_same_item_twice_in_one_submission_is_refused(
    field: Field, inspector_user: User
) -> None:
    # given
    row = {"id": field.market_item.pk, "findings": "x", "codes": ["1"]}
    body = {"submission_id": str(uuid.uuid4()), "items": [row, row]}

    # when
    response = _post(_client(inspector_user), "api:record_entries", field.record, body)

    # then
    assert response.status_code == 400
    assert response.json() == {"items": ["同一检查事项在一次提交中只能出现一次"]}


def test_another_departments_item_is_403_and_nothing_is_written(
    field: Field, inspector_user: User
) -> None:
    # given: 李检查 (市场监管局) sends the 公安局 item
    client = _client(inspector_user)
    before = _writes()

    # when
    response = _post(client, "api:record_entries", field.record, _entries(field.police_item, ["1"]))

    # then
    assert response.status_code == 403
    assert response.json() == {
        "detail": "“保安服务许可情况”由晋州市公安局录入，"
        "不能录入其他部门的检查事项（谁检查、谁录入）"
    }
    assert _writes() == before
    field.police_item.refresh_from_db()
    assert field.police_item.findings == ""


def test_the_record_of_another_task_is_out_of_reach(
    field: Field,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_user: User,
    inspector_record: Inspector,
) -> None:
    # given: another task with two records, one of 李检查's group and one without him
    item = make_item(departments.market, "SJ-99", name="广告发布情况")
    lead_item = make_item(departments.lead_office, "JR-99")
    task = make_task(
        departments,
        regions,
        lead_admin,
        [(departments.lead_office, [lead_item]), (departments.market, [item])],
        number="晋州市政府办抽查〔2026〕11号",
    )
    his = make_record(task, catalogue.jia, make_group(task, [inspector_record]), [item])
    not_his = make_record(task, catalogue.bing, make_group(task, [], number=2), [item])
    client = _client(inspector_user)
    before = _writes()

    # when: the other task's record by its URL, and its item smuggled into this record
    outside = _post(client, "api:record_entries", not_his, _entries(not_his.items.get(), ["1"]))
    smuggled = _post(client, "api:record_entries", field.record, _entries(his.items.get(), ["1"]))

    # then
    assert outside.status_code == 404
    assert smuggled.status_code == 400
    assert smuggled.json() == {"items": ["提交的检查事项不属于本记录表"]}
    assert _writes() == before
    assert list(
        RecordItem.objects.filter(record__task=task).values_list("findings", flat=True)
    ) == [
        "",
        "",
    ]


def test_without_a_token_it_is_401(field: Field) -> None:
    # given / when
    response = _post(
        Client(), "api:record_entries", field.record, _entries(field.market_item, ["1"])
    )

    # then
    assert response.status_code == 401
    assert not FieldSubmission.objects.exists()


@pytest.mark.parametrize("persona", ["dept_admin", "other_dept_admin", "auditor", "lead_admin"])
def test_a_reader_who_is_not_in_the_group_may_not_enter(
    field: Field, persona: str, request: pytest.FixtureRequest
) -> None:
    # given: each of them reads the record
    user = request.getfixturevalue(persona)
    client = _client(user)
    assert client.get(reverse("api:record_detail", args=[field.record.pk])).status_code == 200
    before = _writes()

    # when
    response = _post(client, "api:record_entries", field.record, _entries(field.market_item, ["1"]))

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "您不是本记录表检查组的成员，不能办理"}
    assert _writes() == before


def test_a_signed_record_takes_only_corrections_with_a_reason(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    market, police = _client(inspector_user), _client(other_inspector_user)
    _signed(field, market, police)
    before = _writes()

    # when
    refused = _post(market, "api:record_entries", field.record, _entries(field.market_item, ["1"]))
    corrected = _post(
        market,
        "api:record_entries",
        field.record,
        _entries(field.market_item, ["1"], findings="补充：台账已更新", correction_reason="笔误"),
    )

    # then
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["记录表已签字确认并冻结，修改须作为更正提交，并填写更正理由"]
    }
    assert (corrected.status_code, corrected.json()["version"]) == (200, 2)
    assert corrected.json()["state"] == "submitted"
    assert _writes()[0] == before[0] + 1
    event = AuditEvent.objects.filter(event_type="inspections.record.corrected").get()
    assert (event.actor, event.data["reason"], event.data["version"]) == (inspector_user, "笔误", 2)


def test_an_approved_record_is_final(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given
    market, police = _client(inspector_user), _client(other_inspector_user)
    _signed(field, market, police)
    for admin in (dept_admin, other_dept_admin):
        _post(_client(admin), "api:record_review", field.record, {"decision": "approved"})
    before = _writes()

    # when
    response = _post(
        market,
        "api:record_entries",
        field.record,
        _entries(field.market_item, ["1"], correction_reason="想再改"),
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["记录表已审核通过，不能再修改"]}
    assert _writes() == before


# --------------------------------------------------------------------------- photos


def test_a_photo_is_stored_re_encoded_audited_and_a_replay_is_ignored(
    field: Field, inspector_user: User
) -> None:
    # given
    client = _client(inspector_user)
    client_id = str(uuid.uuid4())

    # when
    first = _upload(
        client, field.record, field.market_item, jpeg((3000, 1500)), client_id=client_id
    )
    again = _upload(client, field.record, field.market_item, jpeg(), client_id=client_id)

    # then
    photo = RecordPhoto.objects.get()
    assert first.status_code == 200
    assert first.json() == {
        "id": photo.pk,
        "client_id": client_id,
        "item": field.market_item.pk,
        "width": 2560,
        "height": 1280,
        "size": photo.size,
        "sha256": photo.sha256,
        "duplicate": False,
    }
    assert again.json() == {**first.json(), "duplicate": True}
    event = AuditEvent.objects.get(event_type="inspections.record.photo_added")
    assert (event.actor, event.data["photo"]) == (inspector_user, photo.pk)


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a picture", "文件不是有效的照片，只接受 JPEG、PNG 或 WebP 格式的图片"),
        (b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 1), "照片不能超过 10 MB（本张 10.0 MB）"),
        (_png_header_only(20000, 20000), "照片像素过大，请拍摄或选择普通照片"),
    ],
    ids=["not_an_image_case", "oversize_case", "decompression_bomb_case"],
)
def test_a_bad_photo_is_400_and_nothing_is_stored(
    field: Field, inspector_user: User, data: bytes, message: str
) -> None:
    # given
    client = _client(inspector_user)
    before = _writes()

    # when
    response = _upload(client, field.record, field.market_item, data)

    # then
    assert response.status_code == 400
    assert response.json() == {"photo": [message]}
    assert _writes() == before


def test_a_photo_of_another_departments_item_or_of_no_item_here_is_refused(
    field: Field, inspector_user: User
) -> None:
    # given
    client = _client(inspector_user)

    # when
    theirs = _upload(client, field.record, field.police_item, jpeg())
    elsewhere = _upload(client, field.record, field.other_record.items.get(), jpeg())

    # then
    assert theirs.status_code == 403
    assert theirs.json() == {"detail": "不能为其他部门的检查事项上传照片（谁检查、谁录入）"}
    assert (elsewhere.status_code, elsewhere.json()) == (
        400,
        {"item": ["照片所属的检查事项不在本记录表中"]},
    )
    assert not RecordPhoto.objects.exists()


def test_a_frozen_record_takes_no_photo(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    market = _client(inspector_user)
    _signed(field, market, _client(other_inspector_user))

    # when
    response = _upload(market, field.record, field.market_item, jpeg())

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["记录表已签字确认并冻结，不能再添加照片"]}
    assert not RecordPhoto.objects.exists()


def test_a_json_body_on_the_photo_endpoint_is_415(field: Field, inspector_user: User) -> None:
    # given / when
    response = _post(_client(inspector_user), "api:record_photos", field.record, {"item": 1})

    # then
    assert response.status_code == 415


# --------------------------------------------------------------------------- signing


def test_signing_freezes_and_submits_the_record(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    market = _client(inspector_user)
    _enter_all(field, market, _client(other_inspector_user))
    body = _sign_body(field)

    # when
    response = _post(market, "api:record_sign", field.record, body)
    again = _post(market, "api:record_sign", field.record, body)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "submission_id": body["submission_id"],
        "duplicate": False,
        "record": field.record.pk,
        "state": "submitted",
        "version": 1,
    }
    assert again.json() == {**response.json(), "duplicate": True}
    record = JointRecord.objects.get(pk=field.record.pk)
    assert (record.is_frozen, record.party_name, record.signatures.count()) == (True, "张三", 2)
    event = AuditEvent.objects.get(event_type="inspections.record.signed")
    assert (event.actor, event.data["refused"]) == (inspector_user, False)


def test_the_id_of_an_entries_submission_does_not_sign(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given: the last entries were sent under an id
    market, police = _client(inspector_user), _client(other_inspector_user)
    _post(police, "api:record_entries", field.record, _entries(field.police_item, ["1"]))
    last = _entries(field.market_item, ["1"])
    _post(market, "api:record_entries", field.record, last)
    before = _writes()

    # when the signatures are sent under the same id
    body = {**_sign_body(field), "submission_id": last["submission_id"]}
    response = _post(market, "api:record_sign", field.record, body)

    # then
    assert response.status_code == 400
    assert response.json() == {
        "submission_id": ["提交编号已用于另一次提交，请为每次提交生成新的编号"]
    }
    assert _writes() == before
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None


def test_a_refusal_is_recorded_with_its_witness(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    market = _client(inspector_user)
    _enter_all(field, market, _client(other_inspector_user))
    body = _sign_body(
        field,
        refused=True,
        refusal_reason="负责人不认可检查结论，拒绝签字",
        witness_name="赵六",
        witness_id="130183199001011234",
        witness_signature=signature(),
    )

    # when
    response = _post(market, "api:record_sign", field.record, body)

    # then
    assert response.status_code == 200
    record = JointRecord.objects.get(pk=field.record.pk)
    assert (record.party_refused, record.witness_name, record.witness_id_masked) == (
        True,
        "赵六",
        "1301**********1234",
    )


def test_signing_without_every_signature_is_400_with_field_errors(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given: a blank party signature, 王检查's signature missing
    market = _client(inspector_user)
    _enter_all(field, market, _client(other_inspector_user))
    leader = field.group.members.get(is_leader=True)
    body = {
        "submission_id": str(uuid.uuid4()),
        "party": {"name": "张三", "role": "legal_rep", "signature": signature(blank=True)},
        "members": [{"member": leader.pk, "signature": signature()}],
    }
    before = _writes()

    # when
    response = _post(market, "api:record_sign", field.record, body)

    # then
    assert response.status_code == 400
    assert response.json() == {
        "party_signature": ["检查对象签名为空，请在签字框内签字"],
        "members": ["检查人员王检查的签名为空，请在签字框内签字"],
    }
    assert _writes() == before
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None


def test_a_reader_outside_the_group_may_not_sign(
    field: Field, inspector_user: User, other_inspector_user: User, dept_admin: User
) -> None:
    # given
    _enter_all(field, _client(inspector_user), _client(other_inspector_user))

    # when
    response = _post(_client(dept_admin), "api:record_sign", field.record, _sign_body(field))

    # then
    assert response.status_code == 403
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None


# --------------------------------------------------------------------------- review


def test_each_department_reviews_its_items_and_the_record_is_approved(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
    departments: Departments,
) -> None:
    # given
    _signed(field, _client(inspector_user), _client(other_inspector_user))

    # when
    market = _post(_client(dept_admin), "api:record_review", field.record, {"decision": "approved"})
    police = _post(
        _client(other_dept_admin), "api:record_review", field.record, {"decision": "approved"}
    )

    # then
    assert market.json() == {
        "record": field.record.pk,
        "decision": "approved",
        "departments": [departments.market.pk],
        "review_round": 1,
        "state": "submitted",
    }
    assert (police.status_code, police.json()["state"]) == (200, "approved")
    events = AuditEvent.objects.filter(event_type="inspections.record.reviewed").order_by("seq")
    assert [e.actor for e in events] == [dept_admin, other_dept_admin]


def test_a_return_needs_a_comment_and_a_second_review_is_refused(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
) -> None:
    # given
    _signed(field, _client(inspector_user), _client(other_inspector_user))
    client = _client(dept_admin)

    # when
    bare = _post(client, "api:record_review", field.record, {"decision": "returned"})
    returned = _post(
        client, "api:record_review", field.record, {"decision": "returned", "comment": "照片不清"}
    )
    again = _post(client, "api:record_review", field.record, {"decision": "approved"})

    # then
    assert (bare.status_code, bare.json()) == (
        400,
        {"comment": ["退回须写明审核意见，告知检查人员如何修改"]},
    )
    assert (returned.status_code, returned.json()["state"]) == (200, "returned")
    assert (again.status_code, again.json()) == (
        400,
        {"non_field_errors": ["只有待审核的记录表可以审核"]},
    )
    assert DepartmentReview.objects.count() == 1


def test_a_return_through_the_api_may_ask_for_the_enterprise_to_sign_again(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
) -> None:
    # given
    _signed(field, _client(inspector_user), _client(other_inspector_user))

    # when
    returned = _post(
        _client(dept_admin),
        "api:record_review",
        field.record,
        {"decision": "returned", "comment": "签字不清", "resign_required": True},
    )

    # then
    assert (returned.status_code, returned.json()["state"]) == (200, "returned")
    review = DepartmentReview.objects.get()
    assert (review.comment, review.resign_required) == ("签字不清", True)


@pytest.mark.parametrize("persona", ["inspector_user", "auditor", "lead_admin"])
def test_who_has_no_items_to_review_gets_403(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    # given
    _signed(field, _client(inspector_user), _client(other_inspector_user))
    client = _client(request.getfixturevalue(persona))
    before = _writes()

    # when
    response = _post(
        client,
        "api:record_review",
        field.record,
        {"decision": "approved"},
    )

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "本记录表没有需要您所在部门审核的事项"}
    assert _writes() == before
    assert JointRecord.objects.get(pk=field.record.pk).state == RecordState.SUBMITTED
