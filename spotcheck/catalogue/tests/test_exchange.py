from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.models import AuditEvent
from spotcheck.catalogue.exchange import HEADERS, CatalogueFileError, catalogue_xlsx
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.services import catalogue_import
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import ItemType
from spotcheck.directory.tests.factories import TagFactory
from spotcheck.testing.personas import Departments


@pytest.fixture
def market_item(departments: Departments) -> InspectionItem:
    item = make_item(
        departments.market,
        "SJ-DJ-01",
        name="登记事项检查",
        legal_basis="《市场主体登记管理条例》第三十五条",
        methods=["onsite", "data_compare"],
    )
    return item


@pytest.fixture
def security_type(departments: Departments) -> ItemType:
    return ItemType.objects.create(code="ga-ba", name="保安服务类", department=departments.police)


def _row(**cells: str) -> dict[str, str]:
    base = {
        "抽查主体": "晋州市公安局",
        "事项编码": "GA-BA-01",
        "抽查事项名称": "保安服务业检查",
        "事项类别": "保安服务类",
        "重点或一般": "一般检查事项",
        "抽查比例下限（%）": "3",
        "抽查比例上限（%）": "10",
        "抽查频次": "每年不少于1次",
        "抽查方式": "实地核查；书面检查",
        "抽查对象类型": "企业",
        "适用对象标签": "",
        "抽查依据": "《保安服务管理条例》第四十九条",
        "检查内容": "保安员是否持证上岗\n保安服务合同是否备案",
        "检查人员专长要求": "",
        "检查结果选项": "1 未发现问题；A；G",
        "有效": "是",
        "备注": "",
    }
    base.update(cells)
    return base


def _csv(rows: list[dict[str, str]], *, encoding: str = "utf-8-sig") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row[h] for h in HEADERS])
    return io.BytesIO(text.getvalue().encode(encoding))


def _import(stream: io.BytesIO, name: str = "清单.csv", actor: User | None = None, **kw):
    return catalogue_import(actor=actor, stream=stream, name=name, **kw)


def _import_events() -> int:
    return AuditEvent.objects.filter(event_type=events.CATALOGUE_IMPORTED).count()


def test_an_exported_workbook_imports_back_unchanged(market_item: InspectionItem) -> None:
    # given
    exported = catalogue_xlsx(InspectionItem.objects.all())
    updates_before = AuditEvent.objects.filter(event_type=events.ITEM_UPDATED).count()

    # when
    result = _import(io.BytesIO(exported), "清单.xlsx")

    # then
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.filter(event_type=events.ITEM_UPDATED).count() == updates_before


def test_export_holds_every_column_of_an_item(market_item: InspectionItem) -> None:
    # when
    sheet = load_workbook(io.BytesIO(catalogue_xlsx(InspectionItem.objects.all()))).active

    # then
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert dict(zip(HEADERS, rows[1], strict=True)) == {
        "抽查主体": "晋州市市场监督管理局",
        "事项编码": "SJ-DJ-01",
        "抽查事项名称": "登记事项检查",
        "事项类别": "事项SJ-DJ-01",
        "重点或一般": "重点检查事项",
        "抽查比例下限（%）": "3",
        "抽查比例上限（%）": None,
        "抽查频次": "每年不少于1次",
        "抽查方式": "实地核查；信息比对",
        "抽查对象类型": "企业",
        "适用对象标签": None,
        "抽查依据": "《市场主体登记管理条例》第三十五条",
        "检查内容": "内容",
        "检查人员专长要求": None,
        "检查结果选项": "1 未发现问题",
        "有效": "是",
        "备注": None,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_new_item_is_read_from_csv_in_any_usual_encoding(
    departments: Departments, security_type: ItemType, encoding: str
) -> None:
    # given
    TagFactory(code="security-service", name="保安服务公司")
    stream = _csv([_row(**{"适用对象标签": "保安服务公司"})], encoding=encoding)

    # when
    result = _import(stream)

    # then
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    item = InspectionItem.objects.get(code="GA-BA-01")
    assert item.department == departments.police
    assert item.methods == ["onsite", "written"]
    assert [s.content for s in item.sub_items.all()] == [
        "保安员是否持证上岗",
        "保安服务合同是否备案",
    ]
    assert sorted(c.code for c in item.result_codes.all()) == ["1", "A", "G"]
    assert [t.name for t in item.tags.all()] == ["保安服务公司"]
    assert (item.item_class, str(item.ratio_min), str(item.ratio_max)) == (
        "general",
        "3.00",
        "10.00",
    )
    assert _import_events() == 1


def test_a_changed_row_updates_the_item_and_is_audited(
    market_item: InspectionItem, security_type: ItemType
) -> None:
    # given
    stream = _csv(
        [
            _row(
                **{
                    "抽查主体": "晋州市市场监督管理局",
                    "事项编码": "SJ-DJ-01",
                    "抽查事项名称": "登记事项检查（修订）",
                    "事项类别": "事项SJ-DJ-01",
                }
            )
        ]
    )

    # when
    result = _import(stream)

    # then
    assert (result.created, result.updated) == (0, 1)
    market_item.refresh_from_db()
    assert market_item.name == "登记事项检查（修订）"
    assert AuditEvent.objects.filter(
        event_type=events.ITEM_UPDATED, target_id=str(market_item.pk)
    ).exists()


def test_one_bad_row_stops_the_whole_file_with_every_problem_listed(
    security_type: ItemType,
) -> None:
    # given
    stream = _csv(
        [
            _row(),
            _row(
                **{
                    "事项编码": "GA-BA-02",
                    "抽查主体": "晋州市林业局",
                    "抽查比例下限（%）": "三",
                    "抽查方式": "飞行检查",
                    "检查结果选项": "Z",
                }
            ),
            _row(**{"事项编码": "GA-BA-03", "抽查事项名称": ""}),
            _row(**{"事项编码": "GA-BA-04", "抽查比例上限（%）": ""}),
            _row(),
        ]
    )
    before = InspectionItem.objects.count()

    # when
    with pytest.raises(CatalogueFileError) as error:
        _import(stream)

    # then
    assert error.value.errors == [
        "第3行：抽查主体“晋州市林业局”不是平台已有的部门",
        "第3行：“抽查比例下限（%）”应为数字，如 3 或 5.5，而不是“三”",
        "第3行：抽查方式“飞行检查”无效，可选：书面检查、实地核查、网络监测、信息比对",
        "第3行：检查结果代码“Z”不存在",
        "第4行：“抽查事项名称”不能为空",
        "第5行：抽查比例上限（%）：一般检查事项须设定抽查比例上限",
        "第6行：事项编码“GA-BA-01”与第2行重复",
    ]
    assert InspectionItem.objects.count() == before
    assert _import_events() == 0


def test_a_department_admin_imports_only_its_own_items(
    security_type: ItemType, dept_admin: User
) -> None:
    # given: the market's admin sends a police item
    stream = _csv([_row()])

    # when
    with pytest.raises(CatalogueFileError) as error:
        _import(stream, actor=dept_admin)

    # then
    assert error.value.errors == ["第2行：无权导入“晋州市公安局”的抽查事项"]
    assert not InspectionItem.objects.filter(code="GA-BA-01").exists()


def test_a_dry_run_counts_and_writes_nothing(security_type: ItemType) -> None:
    # when
    result = _import(_csv([_row()]), dry_run=True)

    # then
    assert (result.created, result.dry_run) == (1, True)
    assert not InspectionItem.objects.filter(code="GA-BA-01").exists()
    assert _import_events() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "x.csv", "文件是空的（0 字节），请检查是否选错了文件"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
            "x.xls",
            "这是旧版 Excel（.xls）或加密的工作簿，无法读取：请在 Excel/WPS 中另存为"
            "“Excel 工作簿（.xlsx）”或“CSV UTF-8”并取消密码后重新导入",
        ),
        (
            "抽查主体,事项编码\n晋州市公安局,GA-1\n".encode(),
            "x.csv",
            "缺少必填列：抽查事项名称、事项类别、重点或一般、抽查比例下限（%）、抽查方式、"
            "抽查对象类型、抽查依据、检查内容、检查结果选项（请使用导出的文件或模板）",
        ),
        (",".join(HEADERS).encode() + b"\n", "x.csv", "文件中没有数据行"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(
    departments: Departments, content: bytes, name: str, message: str
) -> None:
    # when
    with pytest.raises(CatalogueFileError) as error:
        _import(io.BytesIO(content), name)

    # then
    assert error.value.errors == [message]
    assert _import_events() == 0


def test_the_page_imports_for_a_department_admin(
    persona_client, departments: Departments, dept_admin: User
) -> None:
    # given
    ItemType.objects.create(code="sj-gs", name="公示信息类", department=departments.market)
    row = _row(
        **{"抽查主体": "晋州市市场监督管理局", "事项编码": "SJ-GS-01", "事项类别": "公示信息类"}
    )
    upload = SimpleUploadedFile("清单.csv", _csv([row]).getvalue(), content_type="text/csv")

    # when
    response = persona_client("dept_admin").post(reverse("catalogue:transfer"), {"file": upload})

    # then
    assert "已导入：新增 1 项，更新 0 项，未变化 0 项。" in response.content.decode()
    assert InspectionItem.objects.filter(code="SJ-GS-01").count() == 1


def test_the_page_lists_the_errors_and_imports_nothing(
    persona_client, security_type: ItemType
) -> None:
    # given
    upload = SimpleUploadedFile("清单.csv", _csv([_row(**{"有效": "也许"})]).getvalue())

    # when
    response = persona_client("platform_admin").post(
        reverse("catalogue:transfer"), {"file": upload}
    )

    # then
    html = response.content.decode()
    assert "文件有误，未导入任何事项。" in html
    assert "第2行：“有效”应填“是”或“否”" in html
    assert not InspectionItem.objects.filter(code="GA-BA-01").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("platform_admin", 200),
        ("lead_admin", 200),
        ("dept_admin", 200),
        ("auditor", 404),
        ("inspector", 404),
    ],
)
def test_only_those_who_keep_a_catalogue_open_the_import_page(
    persona_client, persona: str, status: int
) -> None:
    # when
    response = persona_client(persona).get(reverse("catalogue:transfer"))

    # then
    assert response.status_code == status


def test_a_department_admin_exports_its_own_department_by_default(
    persona_client, market_item: InspectionItem, departments: Departments
) -> None:
    # given
    make_item(departments.police, "GA-01")

    # when
    response = persona_client("dept_admin").get(reverse("catalogue:export_xlsx"))

    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["SJ-DJ-01"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_csv_export_starts_with_a_bom(persona_client, market_item: InspectionItem) -> None:
    # when
    response = persona_client("platform_admin").get(reverse("catalogue:export_csv"))

    # then
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf" + "抽查主体,事项编码".encode())
    assert "SJ-DJ-01" in body.decode("utf-8-sig")


def test_commands_export_and_import_back(market_item: InspectionItem, tmp_path: Path) -> None:
    # given
    out = tmp_path / "清单.xlsx"
    stdout = io.StringIO()

    # when
    call_command("catalogue_export", str(out), stdout=stdout)
    call_command("catalogue_import", str(out), "--dry-run", stdout=stdout)

    # then
    assert stdout.getvalue().splitlines() == [
        f"已导出 1 个抽查事项到 {out}",
        "试运行（未写入）：新增 0 项，更新 0 项，未变化 1 项",
    ]


def test_import_command_reports_the_rows_in_error(security_type: ItemType, tmp_path: Path) -> None:
    # given
    path = tmp_path / "清单.csv"
    path.write_bytes(_csv([_row(**{"抽查对象类型": "外星企业"})]).getvalue())

    # when
    with pytest.raises(CommandError) as error:
        call_command("catalogue_import", str(path))

    # then
    assert str(error.value) == (
        "文件有误，未导入任何事项：\n第2行：抽查对象类型“外星企业”无效，可选："
        "企业、个体工商户、农民专业合作社、外国企业常驻代表机构"
    )
    assert not InspectionItem.objects.filter(code="GA-BA-01").exists()


def test_the_template_example_row_imports(persona_client, security_type: ItemType) -> None:
    # given
    response = persona_client("platform_admin").get(reverse("catalogue:template"))
    workbook = load_workbook(io.BytesIO(response.content))

    # when
    result = _import(io.BytesIO(response.content), "模板.xlsx")

    # then
    assert workbook.sheetnames == ["抽查事项清单", "填写说明", "检查结果代码"]
    assert (result.created, result.updated) == (1, 0)
    item = InspectionItem.objects.get(code="GA-BA-01")
    assert [s.content for s in item.sub_items.all()] == [
        "保安员是否持证上岗",
        "保安服务合同是否备案",
    ]


@pytest.mark.parametrize("department", ["999999", "abc"])
def test_an_export_of_an_unknown_department_is_not_found(
    persona_client: Callable[[str], Client], department: str
) -> None:
    # when
    response = persona_client("platform_admin").get(
        reverse("catalogue:export_csv"), {"department": department}
    )
    # then it is refused, never the whole catalogue
    assert response.status_code == 404
