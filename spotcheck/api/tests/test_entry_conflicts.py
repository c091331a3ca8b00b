"""The API's version rule: a write on a version someone else changed answers 409 with both."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.directory.models import Inspector
from spotcheck.inspections.models import EntryConflict, FieldSubmission, RecordItem
from spotcheck.inspections.tests.field_setup import Field, build_field, second_market_inspector
from spotcheck.testing.personas import Catalogue, Departments, Regions

pytestmark = pytest.mark.django_db


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


def _send(user: User, field: Field, items: list[dict[str, Any]]) -> Any:
    _token, key = api_token_issue(actor=None, user=user, name="业务系统")
    client = Client(headers={"Authorization": f"Token {key}"})
    body = {"submission_id": str(uuid.uuid4()), "items": items}
    return client.post(
        reverse("api:record_entries", args=[field.record.pk]),
        json.dumps(body),
        content_type="application/json",
    )


def _item(item: RecordItem, findings: str, codes: list[str], version: int | None) -> dict[str, Any]:
    return {"id": item.pk, "findings": findings, "codes": codes, "version": version}


def test_a_write_on_an_item_changed_since_answers_409_with_both_values_in_chinese(
    field: Field, inspector_user: User, departments: Departments
) -> None:
    # given: 李检查 wrote SJ-01 on version 0
    zhao = second_market_inspector(field, departments)
    first = _send(inspector_user, field, [_item(field.market_item, "消防通道堵塞", ["B"], 0)])
    assert first.status_code == 200
    second = field.record.items.get(item__code="SJ-02")

    # when: 赵检查 writes SJ-01 and SJ-02, both on version 0
    response = _send(
        zhao,
        field,
        [_item(field.market_item, "未发现问题", ["1"], 0), _item(second, "广告合规", ["1"], 0)],
    )

    # then: SJ-02 is written, SJ-01 keeps 李's entry and 赵's is the conflict answered
    assert response.status_code == 409
    body = response.json()
    conflict = EntryConflict.objects.get()
    assert body["items"] == [
        {"item": field.market_item.pk, "result": "conflict", "version": 1, "conflict": conflict.pk},
        {"item": second.pk, "result": "applied", "version": 1, "conflict": None},
    ]
    [answer] = body["conflicts"]
    assert answer["now"]["findings"] == "消防通道堵塞"
    assert answer["now"]["codes"] == ["2", "A", "B"]
    assert answer["now"]["entered_by"] == "李检查"
    assert answer["incoming"]["findings"] == "未发现问题"
    assert answer["incoming"]["written_by"] == "赵检查"
    assert body["errors"] == [answer["message"]]
    assert "您的内容未覆盖对方，已作为冲突保存" in answer["message"]
    field.market_item.refresh_from_db()
    assert field.market_item.findings == "消防通道堵塞"
    second.refresh_from_db()
    assert second.findings == "广告合规"


def test_the_record_detail_gives_each_items_version(field: Field, inspector_user: User) -> None:
    # given
    _send(inspector_user, field, [_item(field.market_item, "消防通道堵塞", ["B"], 0)])
    _token, key = api_token_issue(actor=None, user=inspector_user, name="业务系统")
    client = Client(headers={"Authorization": f"Token {key}"})

    # when
    detail = client.get(reverse("api:record_detail", args=[field.record.pk])).json()

    # then
    assert {i["id"]: i["version"] for i in detail["items"]} == {
        field.market_item.pk: 1,
        field.police_item.pk: 0,
    }


def test_a_version_that_does_not_exist_is_refused_and_nothing_is_written(
    field: Field, inspector_user: User
) -> None:
    # when
    response = _send(inspector_user, field, [_item(field.market_item, "消防通道堵塞", ["B"], 7)])

    # then
    assert response.status_code == 400
    assert response.json() == {
        "items": ["食品经营许可情况：所基于的版本（7）不存在，当前为第0版，请刷新页面"]
    }
    assert not FieldSubmission.objects.exists()
    field.market_item.refresh_from_db()
    assert (field.market_item.findings, field.market_item.version) == ("", 0)


def test_the_schema_documents_the_version_and_the_409_answer(inspector_user: User) -> None:
    # when
    schema = Client().get(reverse("api:schema"), {"format": "json"}).json()

    # then
    entries = schema["paths"]["/api/v1/records/{id}/entries/"]["post"]
    assert "409" in entries["responses"]
    assert "version" in schema["components"]["schemas"]["ItemEntryInRequest"]["properties"]
    assert "conflicts" in schema["components"]["schemas"]["ConflictAnswerOut"]["properties"]
