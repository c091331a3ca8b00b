"""Phone numbers through the directory sync: stored in full, refused when masked."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity
from spotcheck.testing.personas import Catalogue

REFUSAL = "请填写完整的电话号码，不能填写打了星号的号码"


def _client(user: User) -> Client:
    _token, key = api_token_issue(actor=None, user=user, name="业务系统")
    return Client(headers={"Authorization": f"Token {key}"})


def _sync(client: Client, rows: list[dict[str, str]]) -> dict[str, object]:
    response = client.post(
        reverse("api:entity_sync"), json.dumps({"entities": rows}), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


def test_a_synced_number_is_stored_in_full(dept_admin: User, catalogue: Catalogue) -> None:
    # given / when
    body = _sync(
        _client(dept_admin), [{"uscc": catalogue.jia.uscc, "legal_rep_phone": "18912344920"}]
    )
    # then
    assert body["updated"] == 1
    assert Entity.objects.get(pk=catalogue.jia.pk).legal_rep_phone == "18912344920"


def test_a_synced_masked_number_is_refused_and_nothing_is_written(
    dept_admin: User, catalogue: Catalogue
) -> None:
    # given
    client = _client(dept_admin)
    before = Entity.objects.get(pk=catalogue.jia.pk).legal_rep_phone
    events = AuditEvent.objects.count()
    # when
    body = _sync(client, [{"uscc": catalogue.jia.uscc, "legal_rep_phone": "189****4920"}])
    # then
    assert (body["updated"], body["refused"]) == (0, 1)
    assert body["rows"][0]["errors"] == {"legal_rep_phone": [REFUSAL]}  # type: ignore[index]
    assert Entity.objects.get(pk=catalogue.jia.pk).legal_rep_phone == before
    assert AuditEvent.objects.count() == events
