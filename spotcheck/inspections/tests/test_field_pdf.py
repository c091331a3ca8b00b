from __future__ import annotations

import io
import re
import uuid

import pytest
from django.test import Client
from pypdf import PdfReader

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.services.photos import record_photo_add
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import (
    Field,
    build_field,
    entry,
    jpeg,
    sid,
    signature,
)
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions


@pytest.fixture
def signed(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
) -> Field:
    field = build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("B",), findings="年度报告未按期公示")],
    )
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, findings="保安员持证上岗", notes="现场抽查3人")],
    )
    record_photo_add(
        actor=inspector_user,
        record=field.record,
        item=field.market_item,
        data=jpeg(),
        client_id=uuid.uuid4(),
    )
    record_sign(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        party=PartySignoff(name="丁大伟", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in field.group.members.all()},
    )
    return field


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def _html_text(html: str) -> str:
    body = html.split('data-testid="record-body"', 1)[1].split("</section>\n</div>", 1)[0]
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", body))


SAME_IN_BOTH = [
    "随机抽查联合检查记录表（一企一表）",
    "晋州市丁果蔬农民专业合作社",
    "主要检查情况：年度报告未按期公示",
    "检查结果：A发现问题待后续处理；2违反工商行政管理相关规定；B未按规定公示应当公示的信息",
    "主要检查情况：保安员持证上岗",
    "备注：现场抽查3人",
    "检查对象签字：丁大伟（法定代表人）",
    "检查人员：李检查（晋州市市场监督管理局，执法证号JZSC0001）",
    "检查人员：王检查（晋州市公安局，执法证号JZGA0001）",
]


def test_the_final_record_pdf_says_what_the_page_says_in_chinese(
    signed: Field, dept_admin: User
) -> None:
    # given
    client = _client(dept_admin)
    # when
    response = client.get(f"/field/records/{signed.record.pk}/final.pdf")
    page = client.get(f"/field/records/{signed.record.pk}/final/").content.decode()
    # then
    assert response["Content-Type"] == "application/pdf"
    pdf_text = _pdf_text(response.content)
    html_text = _html_text(page)
    missing = [s for s in SAME_IN_BOTH if s not in pdf_text or s not in html_text]
    assert missing == []
    # one photo and three signatures (the legal representative and two inspectors)
    assert _images(response.content) == 4


def test_the_notice_pdf_names_items_inspectors_and_materials(
    signed: Field, inspector_user: User
) -> None:
    response = _client(inspector_user).get(f"/field/records/{signed.record.pk}/notice.pdf")
    text = _pdf_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    for expected in [
        "“双随机、一公开”联合抽查检查通知书",
        "晋州市丁果蔬农民专业合作社：",
        "SJ-01食品经营许可情况",
        "GA-01保安服务许可情况",
        "李检查（组长）",
        "执法证号JZSC0001",
        "执法证号JZGA0001",
        "营业执照（副本）",
    ]:
        assert expected in text, expected


def test_an_earlier_version_stays_readable_after_a_correction(
    signed: Field, inspector_user: User
) -> None:
    # given a correction after the signature
    record_entries_save(
        actor=inspector_user,
        record=signed.record,
        submission_id=sid(),
        entries=[entry(signed.market_item, ("B",), findings="2025年度报告未按期公示")],
        correction_reason="补充年度",
    )
    client = _client(inspector_user)
    # when
    first = client.get(f"/field/records/{signed.record.pk}/final/?v=1").content.decode()
    current = client.get(f"/field/records/{signed.record.pk}/final/").content.decode()
    # then
    assert "主要检查情况：年度报告未按期公示" in _html_text(first)
    assert "主要检查情况：2025年度报告未按期公示" in _html_text(current)
    assert "更正理由：补充年度" in current
