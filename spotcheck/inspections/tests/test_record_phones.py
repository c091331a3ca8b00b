"""The enterprise's numbers on the record pages: dialled by the group, masked for readers.

甲's record belongs to group 1 (李检查, the ``inspector`` persona); the auditor and the
department admins read it.  The printed record is a document that leaves the platform:
it always shows the numbers masked.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from spotcheck.directory.models import Entity
from spotcheck.inspections.tests.factories import Matched

FULL, MASKED = "18912344920", "189****4920"
LIAISON_FULL, LIAISON_MASKED = "19755667271", "197****7271"


@pytest.fixture
def numbers(matched: Matched) -> Matched:
    Entity.objects.filter(pk=matched.jia.entity_id).update(
        legal_rep_phone=FULL, liaison_name="王联络", liaison_phone=LIAISON_FULL
    )
    return matched


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("inspector", (True, False)),
        ("auditor", (False, True)),
        ("dept_admin", (False, True)),
        ("lead_admin", (False, True)),
    ],
)
def test_the_record_page_shows_the_contact_in_full_to_the_group_only(
    persona_client, numbers: Matched, persona: str, seen: tuple[bool, bool]
) -> None:
    # given / when
    page = persona_client(persona).get(reverse("inspections:record_detail", args=[numbers.jia.pk]))
    # then (full number shown, masked number shown)
    html = page.content.decode()
    assert (LIAISON_FULL in html, LIAISON_MASKED in html) == seen


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("inspector", [f"tel:{FULL}", f"tel:{LIAISON_FULL}"]),
        ("auditor", []),
    ],
)
def test_the_field_record_page_links_the_real_numbers_for_the_group_only(
    persona_client, numbers: Matched, persona: str, links: list[str]
) -> None:
    # given / when
    page = persona_client(persona).get(reverse("inspections:field_record", args=[numbers.jia.pk]))
    html = page.content.decode()
    # then the group dials the real numbers; a reader gets neither a link nor the number
    found = [f"tel:{n}" for n in (FULL, LIAISON_FULL) if f'href="tel:{n}"' in html]
    sms = f'href="sms:{LIAISON_FULL}?body=' in html
    assert (found, sms, FULL in html) == (links, bool(links), bool(links))


def test_the_printed_record_shows_the_contact_masked_even_to_the_group(
    persona_client, numbers: Matched
) -> None:
    # given / when 李检查 prints the record
    response = persona_client("inspector").get(
        reverse("inspections:record_pdf", args=[numbers.jia.pk])
    )
    # then
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "".join("".join(page.extract_text().split()) for page in pages)
    assert (f"王联络{LIAISON_MASKED}" in text, LIAISON_FULL in text) == (True, False)
