"""The public portal: 抽查结果公告, the enterprise look-up, open data — and what it never shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.directory.models import Avoidance, Entity, Inspector
from spotcheck.publicity.models import ResultPublication
from spotcheck.publicity.privacy import scrub
from spotcheck.publicity.services import publish_on_approval
from spotcheck.publicity.tests.factories import World, approve, build, enter
from spotcheck.testing.personas import Catalogue, Departments, Regions

NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)
PHONE = "13912345678"
LIAISON_PHONE = "0311-87654321"
INSPECTOR_PHONE = "13698765432"
ID_MASKED = "1301**********1234"
AVOIDANCE_REASON = "系该企业股东之配偶"
SIGNATURE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"


@pytest.fixture
def published(approved: World, lead_admin: User) -> list[ResultPublication]:
    with time_machine.travel(NOW, tick=False):
        return publish_on_approval(actor=lead_admin, record=approved.record)


@pytest.fixture
def personal(
    approved: World, inspector_record: Inspector, other_inspector_record: Inspector
) -> World:
    """Personal data the platform holds about the entity and the inspectors."""
    Entity.objects.filter(pk=approved.entity.pk).update(
        legal_rep_phone=PHONE, liaison_phone=LIAISON_PHONE, legal_rep_id_masked=ID_MASKED
    )
    Inspector.objects.filter(pk=inspector_record.pk).update(
        phone=INSPECTOR_PHONE, id_masked=ID_MASKED
    )
    Avoidance.objects.create(
        inspector=other_inspector_record,
        entity=approved.entity,
        reason_type="relative",
        reason=AVOIDANCE_REASON,
    )
    row = approved.record.items.get(department=inspector_record.department)
    row.__class__.objects.filter(pk=row.pk).update(
        notes=f"现场联系电话{PHONE}，身份证130183199001011234，签名{SIGNATURE}"
    )
    return approved


def _public_pages(client: Client, publications: list[ResultPublication], world: World) -> str:
    urls = [
        "/public/results/",
        *(f"/public/results/{p.pk}/" for p in publications),
        f"/public/lookup/?q={world.entity.uscc}",
        f"/public/lookup/?q={world.entity.name[:4]}",
        "/public/api/results/",
        "/public/open-data/results-2026.csv",
        "/public/open-data/results-2026.json",
        f"/public/tasks/{world.record.task_id}/",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        bodies.append(body.decode("utf-8-sig"))
    return "\n".join(bodies)


def test_the_portal_never_shows_phone_or_id_numbers_signatures_or_avoidances(
    personal: World, lead_admin: User
) -> None:
    # given
    with time_machine.travel(NOW, tick=False):
        publications = publish_on_approval(actor=lead_admin, record=personal.record)

    # when
    html = _public_pages(Client(), publications, personal)

    # then
    for secret in (
        PHONE,
        LIAISON_PHONE,
        INSPECTOR_PHONE,
        ID_MASKED,
        "130183199001011234",
        "data:image",
        AVOIDANCE_REASON,
        "回避",
    ):
        assert secret not in html, secret
    assert "现场联系电话［已隐去］" in html


def test_inspector_names_are_shown_with_their_certificate_number_by_default(
    published: list[ResultPublication], client: Client
) -> None:
    # given / when
    html = client.get(f"/public/results/{published[0].pk}/").content.decode()

    # then
    assert "（执法证号 JZ" in html
    assert 'data-testid="inspector-names"' in html


def test_the_setting_hides_inspector_names_on_every_public_page(
    published: list[ResultPublication], approved: World, settings: Any, client: Client
) -> None:
    # given
    settings.PUBLIC_SHOW_INSPECTOR_NAMES = False

    # when
    html = _public_pages(client, published, approved)

    # then
    for hidden in ("李检查", "王检查", "JZSC0001", "JZGA0001"):
        assert hidden not in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话 13812345678。", "电话 ［已隐去］。"),
        ("+86 13812345678", "［已隐去］"),
        ("座机0311-12345678", "座机［已隐去］"),
        ("身份证13018319900101123X号", "身份证［已隐去］号"),
        ("代码91130183MA0CXXXX1X不动", "代码91130183MA0CXXXX1X不动"),
        ("检查3次，罚款2000元", "检查3次，罚款2000元"),
    ],
)
def test_free_text_is_scrubbed_of_numbers_that_identify_a_person(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_the_result_notice_lists_the_fields_of_the_notice(
    published: list[ResultPublication], approved: World, client: Client
) -> None:
    # given / when
    html = client.get("/public/results/").content.decode()

    # then
    assert html.count('data-testid="result-row"') == 2
    for label in (
        "抽查计划编号",
        "抽查计划名称",
        "抽查任务编号",
        "抽查任务名称",
        "抽查类型",
        "检查机关",
        "统一社会信用代码/注册号",
        "检查完成日期",
        "检查结果",
        "备注",
    ):
        assert label in html
    assert approved.entity.uscc in html
    assert "晋州市政府办抽查〔2026〕10号" in html
    assert "2026-04-14" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"晋州市市场监督管理局", "晋州市公安局"}),
        ("department=MARKET", {"晋州市市场监督管理局"}),
        ("result=A", {"晋州市公安局"}),
        ("result=1", {"晋州市市场监督管理局"}),
        ("year=2026", {"晋州市市场监督管理局", "晋州市公安局"}),
        ("year=2025", set()),
        ("result=ZZ", set()),
        ("department=abc", set()),
    ],
)
def test_the_result_notice_filters_by_department_year_and_result(
    published: list[ResultPublication],
    departments: Departments,
    client: Client,
    query: str,
    expected: set[str],
) -> None:
    # given
    query = query.replace("MARKET", str(departments.market.pk))

    # when
    response = client.get(f"/public/results/?{query}")

    # then
    rows = [p for p in response.context["rows"]]
    assert response.status_code == 200
    assert {p.authority for p in rows} == expected


def test_the_look_up_by_code_shows_every_result_of_the_enterprise(
    published: list[ResultPublication], approved: World, client: Client
) -> None:
    # given / when
    response = client.get("/public/lookup/", {"q": approved.entity.uscc.lower()})

    # then
    lookup = response.context["lookup"]
    assert [e.name for e in lookup.entities] == [approved.entity.name]
    assert {p.authority for p in lookup.entities[0].results} == {
        "晋州市市场监督管理局",
        "晋州市公安局",
    }
    html = response.content.decode()
    assert "第十次联合抽查" in html
    assert "发现问题待后续处理（违反公安部门相关规定）" in html


def test_the_look_up_by_part_of_the_name_finds_the_enterprise(
    published: list[ResultPublication], approved: World, catalogue: Catalogue, client: Client
) -> None:
    # given
    fragment = approved.entity.name[1:5]

    # when
    lookup = client.get("/public/lookup/", {"q": fragment}).context["lookup"]

    # then
    assert approved.entity.name in [e.name for e in lookup.entities]
    assert lookup.error == ""


def test_a_look_up_of_two_characters_asks_for_more(
    published: list[ResultPublication], client: Client
) -> None:
    # given / when
    response = client.get("/public/lookup/", {"q": "晋州"})

    # then
    assert response.context["lookup"].entities == []
    assert "请至少输入3个字的企业名称" in response.content.decode()


def test_a_refused_look_up_marks_the_search_box_invalid_and_tied_to_the_message(
    published: list[ResultPublication], client: Client
) -> None:
    # given / when
    response = client.get("/public/lookup/", {"q": "晋州"})

    # then
    content = response.content.decode()
    attrs = response.context["form"].fields["q"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "lookup-error"
    assert content.count(' id="lookup-error"') == 1
    assert 'aria-describedby="lookup-error" id="id_q"' in content


def test_an_accepted_look_up_leaves_the_search_box_valid(
    published: list[ResultPublication], client: Client
) -> None:
    # given / when
    response = client.get("/public/lookup/", {"q": published[0].entity.uscc})

    # then
    attrs = response.context["form"].fields["q"].widget.attrs
    assert "aria-invalid" not in attrs
    assert "aria-describedby" not in attrs


def test_an_enterprise_without_results_is_found_and_says_so(
    published: list[ResultPublication], catalogue: Catalogue, client: Client
) -> None:
    # given / when
    html = client.get("/public/lookup/", {"q": catalogue.jia.uscc}).content.decode()

    # then
    assert catalogue.jia.name in html
    assert "暂无双随机抽查结果信息" in html


def _mistyped(code: str) -> str:
    """The code with its check character replaced by another of the alphabet."""
    wrong = "1" if code[17] != "1" else "2"
    return code[:17] + wrong


def test_a_look_up_with_a_wrong_check_character_says_the_code_is_not_valid(
    published: list[ResultPublication], approved: World, client: Client
) -> None:
    # given the enterprise's code with its last character mistyped
    code = _mistyped(approved.entity.uscc)
    expected = approved.entity.uscc[17]

    # when a visitor looks it up
    response = client.get("/public/lookup/", {"q": code})

    # then they are told why the code is not valid, not that nothing was found
    html = response.content.decode()
    assert response.context["lookup"].error == (
        f"“{code}”不是有效的统一社会信用代码：校验位不符（按 GB 32100-2015 计算，"
        f"第18位应为{expected}，输入的是{code[17]}），可能有字符输错。请核对后重新输入。"
    )
    assert 'data-testid="lookup-error"' in html
    assert "未找到该市场主体" not in html


def test_a_look_up_of_a_code_of_seventeen_characters_says_how_long_a_code_is(
    published: list[ResultPublication], approved: World, client: Client
) -> None:
    # given / when
    response = client.get("/public/lookup/", {"q": approved.entity.uscc[:17]})

    # then
    assert response.context["lookup"].error == (
        f"“{approved.entity.uscc[:17]}”不是有效的统一社会信用代码：应为18位，输入的是17位。"
        "请核对后重新输入。"
    )


def test_an_early_pilot_code_that_fails_the_check_is_still_found(
    published: list[ResultPublication], approved: World, client: Client
) -> None:
    # given an enterprise registered under a legal pilot code failing the check (domain §6.3)
    Entity.objects.filter(pk=approved.entity.pk).update(uscc="91350100M0001TGQXM")

    # when
    lookup = client.get("/public/lookup/", {"q": "91350100M0001TGQXM"}).context["lookup"]

    # then
    assert lookup.error == ""
    assert [e.name for e in lookup.entities] == [approved.entity.name]


def _many_published(
    n: int,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspectors: list[Inspector],
    by: User,
) -> None:
    for i in range(n):
        w = build(
            departments,
            regions,
            lead_admin,
            catalogue.ding,
            inspectors,
            number=f"晋州市政府办抽查〔2026〕{30 + i}号",
        )
        for row in w.record.items.exclude(department=departments.lead_office):
            enter(row, ["1"], by)
        publish_on_approval(actor=lead_admin, record=approve(w.record))


def test_the_json_endpoint_pages_through_every_result_once(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    client: Client,
) -> None:
    # given: 5 records × 2 departments = 10 results
    _many_published(
        5,
        departments,
        regions,
        lead_admin,
        catalogue,
        [inspector_record, other_inspector_record],
        inspector_user,
    )

    # when
    seen: list[int] = []
    url: str | None = "/public/api/results/?limit=3"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
        pages += 1

    # then
    assert pages == 4
    assert sorted(seen) == seen
    assert set(seen) == set(ResultPublication.objects.values_list("pk", flat=True))
    assert len(seen) == 10


def test_the_json_endpoint_refuses_malformed_parameters(client: Client, db: None) -> None:
    # given / when
    response = client.get("/public/api/results/?year=abc")

    # then
    assert response.status_code == 400
    assert response.json() == {"error": "参数应为整数：after、limit、year、department"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_open_data_of_a_year_downloads_in_every_format(
    published: list[ResultPublication], approved: World, client: Client, fmt: str
) -> None:
    # given / when
    response = client.get(f"/public/open-data/results-2026.{fmt}")

    # then
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="spotcheck-results-2026.{fmt}"'
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert [r["检查机关"] for r in rows] == [
            p.authority for p in sorted(published, key=lambda p: p.pk)
        ]
        assert rows[0]["统一社会信用代码"] == approved.entity.uscc
    elif fmt == "json":
        assert [r["checkOffice"] for r in json.loads(body)["results"]] == [
            p.authority for p in sorted(published, key=lambda p: p.pk)
        ]
    else:
        assert body[:2] == b"PK"


def test_open_data_of_a_year_without_results_is_empty(
    published: list[ResultPublication], client: Client
) -> None:
    # given / when
    response = client.get("/public/open-data/results-2019.json")

    # then
    assert json.loads(b"".join(response.streaming_content))["results"] == []


def test_the_open_data_page_lists_the_years_and_documents_the_fields(
    published: list[ResultPublication], client: Client
) -> None:
    # given / when
    html = client.get("/public/open-data/").content.decode()

    # then
    assert "/public/open-data/results-2026.xlsx" in html
    assert "checkOffice" in html
    assert "/public/api/results/" in html


@pytest.mark.parametrize(
    "url", ["/public/results/", "/public/lookup/", "/public/open-data/", "/public/api/results/"]
)
def test_the_result_pages_need_no_login(client: Client, db: None, url: str) -> None:
    assert client.get(url).status_code == 200
