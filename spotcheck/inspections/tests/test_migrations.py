"""Data steps of the inspections migrations, run on the current models."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import SubmissionKind
from spotcheck.inspections.models import FieldSubmission
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import build_field, entry, sid, signature
from spotcheck.testing.personas import Catalogue, Departments, Regions

pytestmark = pytest.mark.django_db


def test_submission_kind_marks_the_signings_found_in_the_audit_trail(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_user: User,
    other_inspector_user: User,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> None:
    # given: a record entered and signed, its submissions all stored as entries (the default)
    field = build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )
    for user, item in (
        (inspector_user, field.market_item),
        (other_inspector_user, field.police_item),
    ):
        record_entries_save(
            actor=user, record=field.record, submission_id=sid(), entries=[entry(item)]
        )
    signing = sid()
    record_sign(
        actor=inspector_user,
        record=field.record,
        submission_id=signing,
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in field.group.members.all()},
    )
    FieldSubmission.objects.update(kind=SubmissionKind.ENTRIES)
    migration = importlib.import_module("spotcheck.inspections.migrations.0004_submission_kind")

    # when
    migration.mark_signatures(apps, None)

    # then
    kinds = dict(FieldSubmission.objects.values_list("client_id", "kind"))
    assert kinds.pop(signing) == SubmissionKind.SIGN
    assert sorted(kinds.values()) == [SubmissionKind.ENTRIES, SubmissionKind.ENTRIES]
