"""The audit trail is written inside the write's transaction, with field-level diffs."""

from __future__ import annotations

import pytest

from spotcheck.audit.models import AuditEvent
from spotcheck.audit.services import audit_record, model_diff


def test_model_diff_lists_only_the_changed_fields_in_name_order() -> None:
    # given
    before = {"name": "甲", "risk_class": "A", "phone": ""}
    after = {"name": "甲", "risk_class": "C", "phone": "0311-1234567", "tags": "food"}

    # when
    diff = model_diff(before, after)

    # then
    assert diff == {
        "phone": ["", "0311-1234567"],
        "risk_class": ["A", "C"],
        "tags": [None, "food"],
    }
    assert list(diff) == ["phone", "risk_class", "tags"]


def test_model_diff_of_equal_snapshots_is_empty() -> None:
    # given / when / then
    assert model_diff({"a": 1}, {"a": 1}) == {}


@pytest.mark.django_db(transaction=True)
def test_an_audit_record_outside_a_transaction_is_refused() -> None:
    # given
    before = AuditEvent.objects.count()

    # when
    with pytest.raises(RuntimeError, match="must be called inside the write's transaction"):
        audit_record(actor=None, event_type="test.outside")

    # then
    assert AuditEvent.objects.count() == before
