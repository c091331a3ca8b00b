"""Imported phone numbers are stored in full; a masked one is refused with its row."""

from __future__ import annotations

from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.tests.helpers import csv_bytes, entity_row, inspector_row, run
from spotcheck.testing.personas import Catalogue

REFUSAL = "请填写完整的电话号码，不能填写打了星号的号码"


def test_imported_entity_numbers_are_stored_in_full(catalogue: Catalogue) -> None:
    # given a row with the legal representative's and the liaison's numbers
    row = entity_row(1, 法定代表人电话="18912344920", 联络员="王联络", 联络员电话="0311-85201234")
    # when it is imported
    report, errors = run("entities", csv_bytes([row]))
    # then they are kept whole
    entity = Entity.objects.get(uscc=make_uscc(5001))
    assert (report.created, errors) == (1, [])
    assert (entity.legal_rep_phone, entity.liaison_phone) == ("18912344920", "0311-85201234")


def test_a_masked_entity_number_is_refused_with_its_row_and_nothing_is_written(
    catalogue: Catalogue,
) -> None:
    # given a file copied from a masked list
    rows = [entity_row(1), entity_row(2, 法定代表人电话="189****4920")]
    entities, events = Entity.objects.count(), AuditEvent.objects.count()
    # when it is imported
    report, errors = run("entities", csv_bytes(rows, header=list(rows[1])))
    # then the row is named with the reason, and nothing was written
    assert (report.exit_code, report.applied) == (1, False)
    assert errors == [["3", "法定代表人电话", "189****4920", REFUSAL]]
    assert (Entity.objects.count(), AuditEvent.objects.count()) == (entities, events)


def test_a_masked_inspector_number_is_refused(catalogue: Catalogue) -> None:
    # given / when
    report, errors = run("inspectors", csv_bytes([inspector_row(1, 联系电话="139****1001")]))
    # then
    assert errors == [["2", "联系电话", "139****1001", REFUSAL]]
    assert not Inspector.objects.filter(certificate_no="JZIMP0001").exists()


def test_an_imported_inspector_number_is_stored_in_full(catalogue: Catalogue) -> None:
    # given / when
    report, errors = run("inspectors", csv_bytes([inspector_row(1, 联系电话="13903111001")]))
    # then
    assert (report.created, errors) == (1, [])
    assert Inspector.objects.get(certificate_no="JZIMP0001").phone == "13903111001"
