"""The statistics page per role, its filters and the XLSX exports."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from spotcheck.audit.models import AuditEvent
from spotcheck.stats.tests.factories import T1, Fixture
from spotcheck.testing.personas import Departments

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("platform_admin", 200),
        ("lead_admin", 200),
        ("auditor", 200),
        ("dept_admin", 200),
        ("other_dept_admin", 200),
        ("inspector", 404),
    ],
)
def test_statistics_access_per_role(
    persona_client: Callable[[str], Client], departments: Departments, persona: str, status: int
) -> None:
    # when
    response = persona_client(persona).get("/stats/")
    # then
    assert response.status_code == status


def test_page_shows_every_figure_with_its_chart_data_and_table(
    stats_fixture: Fixture, persona_client: Callable[[str], Client]
) -> None:
    # when
    response = persona_client("lead_admin").get("/stats/")
    # then
    html = response.content.decode()
    for key in ("draw", "timeliness", "results", "cases", "visits", "repeat"):
        assert f'data-testid="figure-{key}"' in html
        assert f'<script id="chart-{key}" type="application/json">' in html
    assert "<script>" not in html  # no inline script: data only, drawn by static/js/stats.js
    assert 'src="/static/js/stats.js"' in html
    # every cell carries its column's name, shown beside the value on a phone
    assert '<td data-label="按时完成率（%）">33.3</td>' in html


def test_a_department_admin_chooses_among_its_own_departments_only(
    stats_fixture: Fixture, persona_client: Callable[[str], Client], departments: Departments
) -> None:
    # when
    response = persona_client("dept_admin").get("/stats/")
    # then
    choices = [d.name for d in response.context["form"].fields["department"].queryset]
    assert choices == ["晋州市市场监督管理局"]
    assert "本部门及下级部门" in response.context["caption"]


def test_a_department_outside_scope_is_not_accepted(
    stats_fixture: Fixture, persona_client: Callable[[str], Client], departments: Departments
) -> None:
    # when: the market admin asks for the police figures
    response = persona_client("dept_admin").get(f"/stats/?department={departments.police.pk}")
    # then: the filter is refused and the figures stay within the market's scope
    assert response.context["form"].errors["department"]
    results = next(f for f in response.context["figures"] if f.key == "results")
    assert {row[0] for row in results.rows} == {"晋州市市场监督管理局"}


def test_a_refused_filter_is_tied_to_its_message(
    stats_fixture: Fixture, persona_client: Callable[[str], Client], departments: Departments
) -> None:
    # when
    response = persona_client("dept_admin").get(f"/stats/?department={departments.police.pk}")

    # then: the select points at an element that exists and names the field
    content = response.content.decode()
    attrs = response.context["form"].fields["department"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_department-error"
    assert content.count('<span id="id_department-error">') == 1


def test_one_figure_exports_as_xlsx(
    stats_fixture: Fixture, persona_client: Callable[[str], Client]
) -> None:
    # when
    response = persona_client("lead_admin").get(f"/stats/?task={stats_fixture.t1.pk}&export=draw")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["各信用风险分类抽取情况"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "各信用风险分类抽取情况"
    assert rows[1][0] == f"筛选条件：全部年度 · {T1} · 全部部门 · 全部区域"
    assert rows[3] == (
        "任务",
        "风险分类",
        "名录户数",
        "抽取户数",
        "实际抽取比例（%）",
        "设定比例（%）",
    )
    assert rows[4] == (T1, "A类", 100, 3, 3, 3)
    assert rows[5] == (T1, "C类", 40, 3, 7.5, 5)
    event = AuditEvent.objects.get(event_type="stats.exported")
    assert event.data["what"] == "draw"
    assert event.data["rows"] == 2


def test_all_figures_export_one_sheet_each(
    stats_fixture: Fixture, persona_client: Callable[[str], Client]
) -> None:
    response = persona_client("auditor").get("/stats/?export=all")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 6


def test_an_unknown_export_is_404(persona_client: Callable[[str], Client]) -> None:
    assert persona_client("lead_admin").get("/stats/?export=nothing").status_code == 404
    assert not AuditEvent.objects.filter(event_type="stats.exported").exists()


def test_choosing_a_task_offers_its_printed_report(
    stats_fixture: Fixture, persona_client: Callable[[str], Client]
) -> None:
    client = persona_client("lead_admin")
    assert 'data-testid="task-report"' not in client.get("/stats/").content.decode()
    html = client.get(f"/stats/?task={stats_fixture.t1.pk}").content.decode()
    assert f'href="/stats/tasks/{stats_fixture.t1.pk}/report.pdf"' in html
