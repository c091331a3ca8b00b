"""Times of the on-site record are Beijing times, whatever zone the phone or caller is in.

A phone left on UTC once recorded 检查时间 16:36 for a visit at 00:36 Beijing time: the
phone now sends Beijing wall-clock times, the server reads a time without a zone in
Asia/Shanghai and keeps one with a zone as that moment, and refuses a time still to come.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.inspections.forms import parse_sync
from spotcheck.inspections.models import FieldSubmission, JointRecord
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.tests.field_setup import Field, build_field, entry, sid
from spotcheck.testing.personas import Catalogue, Departments, Regions

pytestmark = pytest.mark.django_db

# 00:36 on 8 December in Beijing
VISIT = dt.datetime(2026, 12, 7, 16, 36, tzinfo=dt.UTC)


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


def _payload(**times: str) -> dict[str, object]:
    return {"submission_id": str(uuid.uuid4()), "items": [], **times}


def test_a_time_without_a_zone_is_read_as_beijing_time_whatever_zone_is_active() -> None:
    # given a request handled while another time zone is active
    with timezone.override("UTC"):
        # when the phone's wall-clock time is read
        parsed = parse_sync(_payload(started_at="2026-12-08T00:36", ended_at="2026-12-08T01:10"))
    # then it is that time in Beijing
    assert (parsed["started_at"], parsed["ended_at"]) == (
        VISIT,
        VISIT + dt.timedelta(minutes=34),
    )


def test_a_time_with_a_zone_is_kept_as_that_moment_and_shown_in_beijing() -> None:
    # given a caller that sends UTC with its zone
    # when it is read
    parsed = parse_sync(_payload(started_at="2026-12-07T16:36:00Z"))
    # then it is the same moment, in Beijing time
    assert (parsed["started_at"], parsed["started_at"].strftime("%Y-%m-%d %H:%M %z")) == (
        VISIT,
        "2026-12-08 00:36 +0800",
    )


def test_a_start_time_still_to_come_is_refused_and_nothing_is_written(
    field: Field, inspector_user: User
) -> None:
    # given a phone set to a zone east of Beijing: its wall-clock time is an hour ahead
    ahead = timezone.now() + dt.timedelta(hours=1)
    events = AuditEvent.objects.count()
    # when it sends its entry with that start time
    with pytest.raises(ValidationError) as refused:
        record_entries_save(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item)],
            started_at=ahead,
        )
    # then it is told to check the phone's clock, and nothing was written
    messages = refused.value.message_dict["started_at"]
    assert len(messages) == 1
    assert messages[0].startswith("检查开始时间不能晚于现在（北京时间 ")
    assert messages[0].endswith("），请核对手机时间")
    record = JointRecord.objects.get(pk=field.record.pk)
    field.market_item.refresh_from_db()
    assert (record.started_at, record.state, field.market_item.findings) == (None, "pending", "")
    assert (FieldSubmission.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_an_end_time_still_to_come_is_refused(field: Field, inspector_user: User) -> None:
    # given an end time two hours from now
    ahead = timezone.now() + dt.timedelta(hours=2)
    # when it is sent
    with pytest.raises(ValidationError) as refused:
        record_entries_save(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item)],
            ended_at=ahead,
        )
    # then only the end time is refused
    assert list(refused.value.message_dict) == ["ended_at"]


def test_the_api_reads_a_time_without_a_zone_as_beijing_time(
    field: Field, inspector_user: User
) -> None:
    # given an integrating system that sends the start time without a zone
    _token, key = api_token_issue(actor=None, user=inspector_user, name="业务系统")
    client = Client(headers={"Authorization": f"Token {key}"})
    body = {
        "submission_id": str(uuid.uuid4()),
        "items": [{"id": field.market_item.pk, "findings": "证照齐全", "codes": ["1"]}],
        "started_at": "2026-12-08T00:36",
    }
    # when it is submitted while another zone is active
    with timezone.override("UTC"):
        response = client.post(
            reverse("api:record_entries", args=[field.record.pk]),
            json.dumps(body),
            content_type="application/json",
        )
    # then the record starts at 00:36 Beijing time
    assert response.status_code == 200, response.json()
    assert JointRecord.objects.get(pk=field.record.pk).started_at == VISIT
