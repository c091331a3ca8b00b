"""The integration API: tokens, directory sync through the services, scoped reads, schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.api.models import ApiToken
from spotcheck.api.services import api_token_issue, api_token_revoke, key_digest
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.testing.personas import Catalogue, Departments

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    _token, key = api_token_issue(actor=None, user=user, name="测试系统")
    return Client(headers={"Authorization": f"Token {key}"})


def _post(client: Client, name: str, body: Any) -> Any:
    return client.post(reverse(name), json.dumps(body), content_type="application/json")


def _new_entity(departments: list[int], n: int = 901) -> dict[str, Any]:
    return {
        "uscc": make_uscc(n),
        "name": "晋州市新同步食品有限公司",
        "entity_type": "enterprise",
        "legal_rep_name": "赵六",
        "address": "晋州市同步路9号",
        "region": "130183",
        "reg_authority_name": "晋州市市场监督管理局",
        "supervising_departments": departments,
    }


def test_only_the_hash_of_a_key_is_stored(dept_admin: User) -> None:
    # given / when
    token, key = api_token_issue(actor=None, user=dept_admin, name="省名录库同步")

    # then
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_sha256 == key_digest(key)
    assert key not in (stored.key_sha256, stored.key_prefix, stored.name)
    assert stored.key_prefix == key[:8]
    assert (
        AuditEvent.objects.filter(event_type="api.token.issued", target_id=str(token.pk)).count()
        == 1
    )


def test_a_token_signs_the_system_in_as_its_user(dept_admin: User, catalogue: Catalogue) -> None:
    # given
    client = _client(dept_admin)

    # when
    response = client.get(reverse("api:entity_list"))

    # then
    assert response.status_code == 200
    names = sorted(e["name"] for e in response.json()["results"])
    assert names == sorted([catalogue.jia.name, catalogue.bing.name, catalogue.ding.name])


@pytest.mark.parametrize(
    "header",
    ["Token not-a-key", "Bearer not-a-key", "Token", "Token a b", "Token clé"],
)
def test_a_wrong_or_malformed_token_is_401(header: str, dept_admin: User) -> None:
    # given
    client = Client(headers={"Authorization": header})

    # when
    response = client.get(reverse("api:entity_list"))

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_refused_at_once(dept_admin: User) -> None:
    # given
    token, key = api_token_issue(actor=None, user=dept_admin, name="旧系统")
    api_token_revoke(actor=None, token=token)

    # when
    response = Client(headers={"Authorization": f"Token {key}"}).get(reverse("api:entity_list"))

    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌无效或已吊销"}


def test_the_token_of_a_deactivated_user_is_refused(dept_admin: User) -> None:
    # given
    _token, key = api_token_issue(actor=None, user=dept_admin, name="系统")
    User.objects.filter(pk=dept_admin.pk).update(is_active=False)

    # when
    response = Client(headers={"Authorization": f"Token {key}"}).get(reverse("api:entity_list"))

    # then
    assert response.status_code == 401


def test_the_issue_command_prints_the_key_once_and_it_works(dept_admin: User, capsys: Any) -> None:
    # given / when
    call_command("api_token_issue", "market_admin", name="市场监管业务系统", key_only=True)
    key = capsys.readouterr().out.strip()

    # then
    response = Client(headers={"Authorization": f"Token {key}"}).get(reverse("api:task_list"))
    assert response.status_code == 200
    assert ApiToken.objects.get().key_sha256 == key_digest(key)


def test_entity_sync_creates_and_updates_through_the_services(
    dept_admin: User, departments: Departments, catalogue: Catalogue
) -> None:
    # given
    client = _client(dept_admin)
    audit_before = AuditEvent.objects.count()
    new = _new_entity([departments.market.pk])
    change = {"uscc": catalogue.jia.uscc, "name": "晋州市甲食品（集团）有限公司", "risk_class": "B"}

    # when
    response = _post(client, "api:entity_sync", {"entities": [new, change]})

    # then
    assert response.status_code == 200
    body = response.json()
    created = Entity.objects.get(uscc=new["uscc"])
    assert body == {
        "created": 1,
        "updated": 1,
        "refused": 0,
        "rows": [
            {"key": new["uscc"], "result": "created", "id": created.pk, "errors": {}},
            {"key": catalogue.jia.uscc, "result": "updated", "id": catalogue.jia.pk, "errors": {}},
        ],
    }
    catalogue.jia.refresh_from_db()
    assert (catalogue.jia.name, catalogue.jia.risk_class) == ("晋州市甲食品（集团）有限公司", "B")
    assert list(created.supervising_departments.all()) == [departments.market]
    assert set(
        AuditEvent.objects.filter(pk__gt=0)
        .order_by("-seq")[: AuditEvent.objects.count() - audit_before]
        .values_list("event_type", flat=True)
    ) == {"directory.entity.created", "directory.entity.updated", "directory.entity.risk_changed"}


def test_entity_sync_refuses_rows_outside_the_callers_scope_and_keeps_the_others(
    dept_admin: User, departments: Departments, catalogue: Catalogue
) -> None:
    # given: 乙 is the police department's; a new row for the police too
    client = _client(dept_admin)
    mine = {"uscc": catalogue.jia.uscc, "legal_rep_phone": "0311-84300000"}
    theirs = {"uscc": catalogue.yi.uscc, "name": "被篡改的名称"}
    new_for_police = _new_entity([departments.police.pk], n=902)

    # when
    response = _post(client, "api:entity_sync", {"entities": [theirs, mine, new_for_police]})

    # then
    body = response.json()
    assert (body["created"], body["updated"], body["refused"]) == (0, 1, 2)
    assert body["rows"][0]["errors"] == {"uscc": ["该检查对象不在您可修改的范围内"]}
    assert body["rows"][2]["errors"] == {
        "non_field_errors": ["无权修改以下部门的记录：晋州市公安局"]
    }
    catalogue.yi.refresh_from_db()
    assert catalogue.yi.name != "被篡改的名称"
    assert not Entity.objects.filter(uscc=new_for_police["uscc"]).exists()


def test_a_row_the_model_refuses_is_reported_in_chinese_and_nothing_is_written(
    dept_admin: User, departments: Departments
) -> None:
    # given: no name, an unknown region
    client = _client(dept_admin)
    row = _new_entity([departments.market.pk]) | {"region": "999999"}
    count = Entity.objects.count()

    # when
    response = _post(client, "api:entity_sync", {"entities": [row]})

    # then
    assert response.status_code == 200
    assert response.json()["rows"][0]["errors"] == {"region": ["未知的行政区划代码：999999"]}
    assert Entity.objects.count() == count


def test_a_malformed_sync_body_is_400_with_field_errors(dept_admin: User) -> None:
    # given
    client = _client(dept_admin)

    # when
    response = _post(client, "api:entity_sync", {"entities": [{"uscc": "短", "entity_type": "x"}]})

    # then
    assert response.status_code == 400
    errors = response.json()["entities"]["0"]
    assert sorted(errors) == ["entity_type", "uscc"]


def test_inspectors_and_auditors_may_not_sync(inspector_user: User, auditor: User) -> None:
    # given / when
    statuses = [
        _post(
            _client(user), "api:inspector_sync", {"inspectors": [{"certificate_no": "X1"}]}
        ).status_code
        for user in (inspector_user, auditor)
    ]

    # then
    assert statuses == [403, 403]
    assert not Inspector.objects.filter(certificate_no="X1").exists()


def test_inspector_sync_creates_an_inspector_in_the_callers_department(
    dept_admin: User, departments: Departments
) -> None:
    # given
    row = {
        "certificate_no": "JZSC0099",
        "name": "孙检查",
        "department": departments.market.pk,
        "category": "civil_servant",
        "certificate_authority": "河北省人民政府",
        "certificate_valid_from": "2024-01-01",
        "certificate_valid_until": "2029-12-31",
    }

    # when
    response = _post(_client(dept_admin), "api:inspector_sync", {"inspectors": [row]})

    # then
    assert response.json()["created"] == 1, response.json()
    assert Inspector.objects.get(certificate_no="JZSC0099").department == departments.market


def test_a_huge_id_in_the_path_is_404_not_a_server_error(platform_admin: User) -> None:
    # given / when
    response = _client(platform_admin).get(f"/api/v1/entities/{10**30}/")

    # then
    assert response.status_code == 404


def test_a_bad_query_parameter_is_400(platform_admin: User) -> None:
    # given / when
    response = _client(platform_admin).get(reverse("api:entity_list"), {"updated_since": "昨天"})

    # then
    assert response.status_code == 400
    assert list(response.json()) == ["updated_since"]


def test_the_schema_is_openapi_3_and_lists_every_endpoint(client: Client) -> None:
    # given / when
    response = client.get(reverse("api:schema"), {"format": "json"})

    # then
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/departments/",
        "/api/v1/entities/",
        "/api/v1/entities/sync/",
        "/api/v1/entities/{id}/",
        "/api/v1/inspectors/",
        "/api/v1/inspectors/sync/",
        "/api/v1/inspectors/{id}/",
        "/api/v1/public/tasks/",
        "/api/v1/public/tasks/{id}/draws/",
        "/api/v1/records/",
        "/api/v1/records/{id}/",
        "/api/v1/records/{id}/entries/",
        "/api/v1/records/{id}/photos/",
        "/api/v1/records/{id}/review/",
        "/api/v1/records/{id}/sign/",
        "/api/v1/result-codes/",
        "/api/v1/tasks/",
        "/api/v1/tasks/{id}/",
        "/api/v1/tasks/{id}/draws/",
    ]


def test_the_docs_page_uses_local_assets_and_no_inline_script(client: Client) -> None:
    # given / when
    page = client.get(reverse("api:docs"))
    script = client.get(reverse("api:docs"), {"script": ""})

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>" not in html
    assert "<style" not in html
    assert "//" not in html.replace("<!DOCTYPE html>", "").split("<body>")[0].replace("://", "")
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
