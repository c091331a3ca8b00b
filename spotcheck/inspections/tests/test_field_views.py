from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import InspectorFactory
from spotcheck.inspections.models import FieldSubmission, JointRecord, RecordPhoto
from spotcheck.inspections.tests.field_setup import Field, build_field, jpeg, signature
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


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
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _sync(client: Client, record: JointRecord, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        f"/field/records/{record.pk}/sync/", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def _photo(
    client: Client, field: Field, name: str, data: bytes, client_id: str = ""
) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        f"/field/records/{field.record.pk}/photos/",
        {
            "item": field.market_item.pk,
            "client_id": client_id or str(uuid.uuid4()),
            "photo": SimpleUploadedFile(name, data, content_type="image/jpeg"),
        },
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "url",
    ["/field/records/{pk}/", "/field/records/{pk}/fill/", "/field/records/{pk}/final/"],
)
def test_the_group_member_opens_the_field_pages(
    field: Field, inspector_user: User, url: str
) -> None:
    response = _client(inspector_user).get(url.format(pk=field.record.pk))
    assert response.status_code == 200


def test_the_record_page_shows_address_map_members_certificates_and_materials(
    field: Field, inspector_user: User
) -> None:
    # when
    page = _client(inspector_user).get(f"/field/records/{field.record.pk}/").content.decode()
    # then
    assert "https://uri.amap.com/search?keyword=" in page
    assert "执法证号 JZSC0001" in page
    assert "执法证号 JZGA0001" in page
    assert "营业执照（副本）" in page
    assert "与“食品经营许可情况”有关的许可证件、台账和记录" in page


def test_the_inspectors_task_list_shows_their_record_only(
    field: Field, inspector_user: User
) -> None:
    page = _client(inspector_user).get("/field/").content.decode()
    assert field.record.entity.name in page
    assert field.other_record.entity.name not in page


@pytest.mark.parametrize(
    "url", ["/field/records/{pk}/", "/field/records/{pk}/fill/", "/field/records/{pk}/final/"]
)
def test_a_record_of_another_group_is_not_found(
    field: Field, departments: Departments, url: str
) -> None:
    # given a 市场监管局 inspector who is not in the group
    outsider = InspectorFactory(department=departments.market, certificate_no="JZSC0099")
    user = User.objects.create_user(
        username="outsider", password="x" * 12, role="inspector", department=departments.market
    )
    outsider.user = user
    outsider.save(update_fields=["user"])
    # when
    response = _client(user).get(url.format(pk=field.record.pk))
    # then
    assert response.status_code == 404


def test_a_sync_sent_twice_is_applied_once(field: Field, inspector_user: User) -> None:
    # given
    client = _client(inspector_user)
    body = {
        "submission_id": str(uuid.uuid4()),
        "items": [{"id": field.market_item.pk, "findings": "台账完整", "codes": ["1"]}],
        "started_at": "2026-03-02T09:00",
    }
    # when
    first = _sync(client, field.record, body)
    second = _sync(client, field.record, body)
    # then
    assert (first[0], first[1]["duplicate"], first[1]["state_label"]) == (200, False, "已录入")
    assert (second[0], second[1]["duplicate"]) == (200, True)
    assert FieldSubmission.objects.count() == 1


def test_a_sync_of_another_departments_item_is_forbidden(
    field: Field, inspector_user: User
) -> None:
    status, data = _sync(
        _client(inspector_user),
        field.record,
        {
            "submission_id": str(uuid.uuid4()),
            "items": [{"id": field.police_item.pk, "findings": "x", "codes": ["1"]}],
        },
    )
    assert status == 403
    assert data["errors"] == [
        "“保安服务许可情况”由晋州市公安局录入，不能录入其他部门的检查事项（谁检查、谁录入）"
    ]
    field.police_item.refresh_from_db()
    assert field.police_item.findings == ""


def test_a_sync_to_a_frozen_record_is_refused_and_nothing_changes(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given a signed record
    client = _client(inspector_user)
    _sync(
        client,
        field.record,
        {
            "submission_id": str(uuid.uuid4()),
            "items": [{"id": field.market_item.pk, "findings": "台账完整", "codes": ["1"]}],
        },
    )
    _sync(
        _client(other_inspector_user),
        field.record,
        {
            "submission_id": str(uuid.uuid4()),
            "items": [{"id": field.police_item.pk, "findings": "备案齐全", "codes": ["1"]}],
        },
    )
    signed = client.post(
        f"/field/records/{field.record.pk}/sign/",
        json.dumps(
            {
                "submission_id": str(uuid.uuid4()),
                "party": {"name": "张三", "role": "legal_rep", "signature": signature()},
                "members": {str(m.pk): signature() for m in field.group.members.all()},
            }
        ),
        content_type="application/json",
    )
    assert signed.status_code == 200
    # when
    status, data = _sync(
        client,
        field.record,
        {
            "submission_id": str(uuid.uuid4()),
            "items": [{"id": field.market_item.pk, "findings": "改了", "codes": ["1"]}],
        },
    )
    # then
    assert status == 400
    assert data["errors"] == ["记录表已签字确认并冻结，修改须作为更正提交，并填写更正理由"]
    field.market_item.refresh_from_db()
    assert field.market_item.findings == "台账完整"


def test_a_sign_with_a_zero_stroke_signature_is_refused(field: Field, inspector_user: User) -> None:
    response = _client(inspector_user).post(
        f"/field/records/{field.record.pk}/sign/",
        json.dumps(
            {
                "submission_id": str(uuid.uuid4()),
                "party": {"name": "张三", "role": "legal_rep", "signature": signature(True)},
                "members": {},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None


def test_a_photo_is_stored_re_encoded_and_a_repeat_is_ignored(
    field: Field, inspector_user: User
) -> None:
    # given
    client = _client(inspector_user)
    client_id = str(uuid.uuid4())
    # when
    first = _photo(client, field, "a.jpg", jpeg(), client_id)
    second = _photo(client, field, "a.jpg", jpeg(), client_id)
    # then
    assert (first[0], first[1]["duplicate"]) == (200, False)
    assert (second[0], second[1]["duplicate"]) == (200, True)
    photo = RecordPhoto.objects.get()
    assert (photo.width, photo.height) == (800, 600)
    served = client.get(f"/field/photos/{photo.pk}/")
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")


def test_a_photo_is_not_served_outside_the_group(
    field: Field, inspector_user: User, dept_admin: User, other_dept_admin: User
) -> None:
    _photo(_client(inspector_user), field, "a.jpg", jpeg())
    photo = RecordPhoto.objects.get()
    assert _client(dept_admin).get(f"/field/photos/{photo.pk}/").status_code == 200
    other_group_admin = _client(other_dept_admin)
    # 公安局 has an item on this record, so its admin reads it; the outsider below does not
    assert other_group_admin.get(f"/field/photos/{photo.pk}/").status_code == 200
    anonymous = Client().get(f"/field/photos/{photo.pk}/")
    assert anonymous.status_code == 302


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "notes.jpg",
            b"this is not a picture at all",
            "文件不是有效的照片，只接受 JPEG、PNG 或 WebP 格式的图片",
        ),
        ("evil.svg", SVG, "文件不是有效的照片，只接受 JPEG、PNG 或 WebP 格式的图片"),
        (
            "huge.jpg",
            b"\xff\xd8\xff" + b"0" * (40 * 1024 * 1024),
            "照片不能超过 10 MB（本张 40.0 MB）",
        ),
    ],
)
def test_a_bad_photo_is_refused_with_a_clear_message_and_nothing_is_stored(
    field: Field, inspector_user: User, name: str, data: bytes, message: str
) -> None:
    status, body = _photo(_client(inspector_user), field, name, data)
    assert (status, body["errors"]) == (400, [message])
    assert not RecordPhoto.objects.exists()


def test_a_photo_for_a_record_of_another_group_is_not_found(
    field: Field, inspector_user: User
) -> None:
    response = _client(inspector_user).post(
        f"/field/records/{field.other_record.pk}/photos/",
        {
            "item": field.other_record.items.get().pk,
            "client_id": str(uuid.uuid4()),
            "photo": SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 404
    assert not RecordPhoto.objects.exists()


def test_the_service_worker_is_served_for_the_field_scope(client: Client) -> None:
    response = client.get("/field/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/field/"
    assert response["Content-Type"] == "application/javascript; charset=utf-8"


def test_a_photo_is_deleted_only_by_its_department_before_signing(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    _photo(_client(inspector_user), field, "a.jpg", jpeg())
    photo = RecordPhoto.objects.get()
    url = f"/field/photos/{photo.pk}/delete/"
    # when the 公安局 inspector tries, then the 市场监管局 inspector
    refused = _client(other_inspector_user).post(url)
    assert (refused.status_code, refused.json()["errors"]) == (403, ["不能删除其他部门的照片"])
    assert RecordPhoto.objects.count() == 1
    deleted = _client(inspector_user).post(url)
    # then
    assert deleted.status_code == 200
    assert not RecordPhoto.objects.exists()


def test_a_department_admin_sees_the_review_page_not_field_lists(
    field: Field, dept_admin: User
) -> None:
    page = _client(dept_admin).get("/field/").content.decode()
    assert '<h1 class="h3 mb-3">记录审核</h1>' in page
    assert field.record.entity.name not in page
    assert "暂无待审核或待确认的记录表" in page
