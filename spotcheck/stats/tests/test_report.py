"""The printed task report (抽查情况报告) and its server-side charts."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from pypdf import PdfReader

from spotcheck.stats.svg import bar_chart_svg
from spotcheck.stats.tests.factories import T1, Fixture


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.django_db
def test_the_report_is_a_chinese_pdf_with_the_figures(
    stats_fixture: Fixture, persona_client: Callable[[str], Client]
) -> None:
    # when
    response = persona_client("lead_admin").get(f"/stats/tasks/{stats_fixture.t1.pk}/report.pdf")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    text = re.sub(r"\s+", "", _text(pdf))
    assert "第十次联合抽查抽查情况报告" in text
    assert T1 in text
    assert "本次联合抽查共对3户检查对象开展检查" in text
    assert "涉及3个部门的5项次抽查事项，联合检查减少上门2次" in text
    assert "发现问题需后续处置的2项次，已生成后续处置事项2项，已办结1项" in text
    for title in ("各信用风险分类抽取情况", "各环节完成及时情况", "后续处置事项办理情况"):
        assert title in text
    # the charts are drawn: the legend of the draw chart is text inside the SVG
    assert "实际抽取比例" in text
    assert "设定比例" in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("inspector", 404),
        ("auditor", 200),
        ("dept_admin", 200),
    ],
)
@pytest.mark.django_db
def test_report_access_per_role(
    stats_fixture: Fixture, persona_client: Callable[[str], Client], persona: str, status: int
) -> None:
    url = f"/stats/tasks/{stats_fixture.t1.pk}/report.pdf"
    assert persona_client(persona).get(url).status_code == status


@pytest.mark.django_db
def test_a_task_outside_the_department_is_404(
    stats_fixture: Fixture, persona_client: Callable[[str], Client]
) -> None:
    from spotcheck.campaigns.models import TaskDepartment

    # given: the police left task 1 (a department that takes no part sees nothing)
    TaskDepartment.objects.filter(task=stats_fixture.t1, department__name="晋州市公安局").delete()
    client = persona_client("other_dept_admin")
    # when / then
    assert client.get(f"/stats/tasks/{stats_fixture.t1.pk}/report.pdf").status_code == 404


def test_grouped_bars_scale_to_a_round_maximum() -> None:
    # given
    chart = {
        "title": "测试",
        "kind": "bar",
        "unit": "%",
        "categories": ["A类", "C类"],
        "series": [{"name": "实际", "data": [3.0, 7.5]}, {"name": "设定", "data": [3.0, None]}],
    }
    # when
    svg = bar_chart_svg(chart, width=300, height=200)
    # then: axis 0–10 %, bars 30 % and 75 % of the plot height (136 px)
    assert svg.startswith("<svg ")
    assert svg.count("<rect ") == 2 + 3  # two legend keys, three bars (None draws none)
    assert ">10%</text>" in svg
    assert 'height="40.8"' in svg  # 3.0 of 10
    assert 'height="102.0"' in svg  # 7.5 of 10
    assert ">A类</text>" in svg


def test_stacked_bars_add_up_and_text_is_escaped() -> None:
    chart = {
        "title": "<x>",
        "kind": "stacked",
        "categories": ["甲&乙"],
        "series": [{"name": "一", "data": [1]}, {"name": "二", "data": [1]}],
    }
    svg = bar_chart_svg(chart, width=300, height=200)
    assert ">2</text>" in svg  # axis maximum is the stack's sum
    assert "甲&amp;乙" in svg
    assert 'aria-label="&lt;x&gt;"' in svg


def test_an_empty_chart_says_so() -> None:
    svg = bar_chart_svg({"title": "空", "categories": [], "series": []})
    assert "暂无数据" in svg
