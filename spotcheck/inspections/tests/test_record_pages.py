from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from spotcheck.catalogue.tests.factories import make_item
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord, RecordItem
from spotcheck.inspections.tests.factories import Matched, make_record
from spotcheck.testing.personas import JIA, LOGIN_BACKEND, YI

# who reads which record: 甲 carries items of all three departments and group 1
# (李检查 of the market, 王检查 of the police); 乙 carries one police item, no group.
ACCESS = [
    ("anonymous", 302, 302),
    ("platform_admin", 200, 200),
    ("lead_admin", 200, 200),
    ("auditor", 200, 200),
    ("dept_admin", 200, 404),
    ("other_dept_admin", 200, 200),
    ("parent_dept_admin", 200, 404),
    ("inspector", 200, 404),
    ("other_inspector", 200, 404),
]


def _pdf_text(content: bytes) -> str:
    """The PDF's text with the line breaks of table cells taken out."""
    pages = PdfReader(io.BytesIO(content)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)


@pytest.mark.parametrize(("persona", "jia", "yi"), ACCESS)
def test_each_role_opens_only_the_records_in_its_scope(
    persona_client, matched: Matched, persona: str, jia: int, yi: int
) -> None:
    # given
    client = persona_client(persona)

    # when
    seen = [
        client.get(reverse("inspections:record_detail", args=[r.pk])).status_code
        for r in (matched.jia, matched.yi)
    ]

    # then
    assert seen == [jia, yi]


@pytest.mark.parametrize(("persona", "jia", "yi"), ACCESS)
def test_the_pdf_follows_the_same_scope(
    persona_client, matched: Matched, persona: str, jia: int, yi: int
) -> None:
    # given
    client = persona_client(persona)

    # when
    seen = [
        client.get(reverse("inspections:record_pdf", args=[r.pk])).status_code
        for r in (matched.jia, matched.yi)
    ]

    # then
    assert seen == [jia, yi]


def test_record_page_shows_the_whole_joint_record(persona_client, matched: Matched) -> None:
    # given
    client = persona_client("lead_admin")

    # when
    response = client.get(reverse("inspections:record_detail", args=[matched.jia.pk]))

    # then
    html = response.content.decode()
    entity = matched.jia.entity
    for text in (
        "随机抽查联合检查记录表",
        "晋州市政府办抽查〔2026〕10号",
        "第十次联合抽查",
        JIA,
        entity.uscc,
        entity.address,
        entity.legal_rep_name,
        "第1组",
        "李检查（晋州市市场监督管理局）",
        "JZSC0001",
        "JZGA0001",
        "JR-XD-01",
        "小额贷款公司经营业务类检查",
        "贷款发放是否符合规定",
        "利率是否超过上限",
        "《河北省地方金融监督管理条例》第二十条",
        "实地核查",
        "信息比对",
        "保安员是否持证上岗",
        "需专业人员协助",
        "晋州市公安局：技防设施检测",
    ):
        assert text in html, text
    assert html.count('data-testid="department-section"') == 3
    assert html.count('data-testid="member-row"') == 2


def test_pdf_carries_the_same_content_in_chinese(persona_client, matched: Matched) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.get(reverse("inspections:record_pdf", args=[matched.jia.pk]))

    # then
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    text = _pdf_text(response.content)
    entity = matched.jia.entity
    for expected in (
        "随机抽查联合检查记录表",
        f"编号：{matched.jia.number}",
        "晋州市政府办抽查〔2026〕10号",
        "第十次联合抽查",
        JIA,
        entity.uscc,
        entity.legal_rep_name,
        "检查组：第1组",
        "李检查",
        "王检查",
        "JZSC0001",
        "JZGA0001",
        "晋州市人民政府办公室检查事项",
        "晋州市市场监督管理局检查事项",
        "晋州市公安局检查事项",
        "小额贷款公司经营业务类检查",
        "贷款发放是否符合规定",
        "《企业信息公示暂行条例》第十四条",
        "保安服务业检查",
        "需专业人员协助：晋州市公安局（技防设施检测）",
        "被检查对象签字（盖章）",
    ):
        assert "".join(expected.split()) in text, expected


def test_pdf_marks_the_results_entered(persona_client, matched: Matched) -> None:
    # given
    row = matched.jia.items.get(item=matched.market_item)
    no_problem = matched.market_item.result_codes.get(code="1")
    row.result_codes.set([no_problem])
    type(row).objects.filter(pk=row.pk).update(findings="年报信息与实际一致")
    client = persona_client("dept_admin")

    # when
    response = client.get(reverse("inspections:record_pdf", args=[matched.jia.pk]))

    # then
    text = _pdf_text(response.content)
    assert "√未发现问题" in text
    assert "主要检查情况年报信息与实际一致" in text


def test_record_list_counts_and_filters(persona_client, matched: Matched) -> None:
    # given
    JointRecord.objects.filter(pk=matched.yi.pk).update(state=RecordState.SUBMITTED)
    client = persona_client("lead_admin")
    url = reverse("inspections:record_list", args=[matched.task.pk])
    market = matched.market_item.department

    # when
    everything = client.get(url)
    by_department = client.get(url, {"department": market.pk})
    by_state = client.get(url, {"state": RecordState.SUBMITTED})
    by_group = client.get(url, {"group": matched.group.pk})

    # then
    assert [r.entity.name for r in everything.context["page"]] == [JIA, YI]
    assert everything.context["total"] == 2
    counts = {value: n for value, _label, n in everything.context["state_counts"]}
    assert counts == {
        "pending": 1,
        "entered": 0,
        "submitted": 1,
        "returned": 0,
        "approved": 0,
    }
    assert [r.entity.name for r in by_department.context["page"]] == [JIA]
    assert [r.entity.name for r in by_state.context["page"]] == [YI]
    assert [r.entity.name for r in by_group.context["page"]] == [JIA]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("lead_admin", [JIA, YI]),
        ("dept_admin", [JIA]),
        ("other_dept_admin", [JIA, YI]),
        ("inspector", [JIA]),
    ],
)
def test_record_list_shows_only_the_records_in_scope(
    persona_client, matched: Matched, persona: str, expected: list[str]
) -> None:
    # given
    client = persona_client(persona)

    # when
    response = client.get(reverse("inspections:record_list", args=[matched.task.pk]))

    # then
    assert [r.entity.name for r in response.context["page"]] == expected


def test_record_list_of_a_task_out_of_reach_is_not_found(
    matched: Matched, other_inspector_user
) -> None:
    # given: an inspector of no group, and a task number that does not exist
    outsider = Client()
    outsider.force_login(other_inspector_user, backend=LOGIN_BACKEND)
    JointRecord.objects.filter(pk=matched.jia.pk).update(group=None)

    # when
    missing = outsider.get(reverse("inspections:record_list", args=[matched.task.pk]))
    nowhere = outsider.get(reverse("inspections:record_list", args=[matched.task.pk + 999]))

    # then
    assert missing.status_code == 404
    assert nowhere.status_code == 404


def test_task_page_links_to_its_records(persona_client, matched: Matched) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.get(reverse("campaigns:task_detail", args=[matched.task.pk]))

    # then
    link = reverse("inspections:record_list", args=[matched.task.pk])
    assert f'href="{link}"' in response.content.decode()
    assert "一企一表（1）" in response.content.decode()


def test_record_list_queries_do_not_grow_with_the_records(
    persona_client, matched: Matched, catalogue
) -> None:
    # given
    client = persona_client("lead_admin")
    url = reverse("inspections:record_list", args=[matched.task.pk])
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    make_record(matched.task, catalogue.bing, matched.group, [matched.market_item])
    make_record(matched.task, catalogue.ding, matched.group, [matched.police_item])

    # when
    with CaptureQueriesContext(connection) as four:
        client.get(url)

    # then
    assert len(four.captured_queries) == len(two.captured_queries)


def test_record_page_queries_do_not_grow_with_the_items(
    persona_client, matched: Matched, departments
) -> None:
    # given
    client = persona_client("lead_admin")
    url = reverse("inspections:record_detail", args=[matched.jia.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    for code in ("SJ-09", "GA-09"):
        department = departments.market if code.startswith("SJ") else departments.police
        RecordItem.objects.create(
            record=matched.jia, department=department, item=make_item(department, code)
        )

    # when
    with CaptureQueriesContext(connection) as five:
        client.get(url)

    # then
    assert len(five.captured_queries) == len(three.captured_queries)
