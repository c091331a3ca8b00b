"""Importing 检查对象: upsert by code, risk history, validation reasons, all-or-nothing."""

from __future__ import annotations

import datetime as dt

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.choices import RiskSource
from spotcheck.directory.models import Entity, EntityRiskHistory
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.tests.helpers import (
    ENTITY_HEADER,
    csv_bytes,
    entity_row,
    run,
    xlsx_bytes,
)
from spotcheck.testing.personas import Catalogue, Departments


def _export_row(entity: Entity) -> dict[str, str]:
    from spotcheck.directory.exports import ENTITY_COLUMNS

    return {name: str(get(entity)) for name, get in ENTITY_COLUMNS}


def test_new_rows_are_created_with_their_links_and_risk_history(
    catalogue: Catalogue, departments: Departments
) -> None:
    # given
    rows = [
        entity_row(1, 分类标签="食品生产企业；保安服务公司"),
        entity_row(2, 监管部门="晋州市市场监督管理局；晋州市公安局", 信用风险分类=""),
    ]

    # when
    report, errors = run("entities", csv_bytes(rows))

    # then
    assert (report.exit_code, report.created, report.updated, report.unchanged) == (0, 2, 0, 0)
    assert errors == []
    first = Entity.objects.get(uscc=make_uscc(5001))
    assert first.name == "晋州市导入测试001有限公司"
    assert first.established_on == dt.date(2020, 5, 6)
    assert first.risk_class == "B"
    assert first.risk_source == RiskSource.SAMR_GENERAL
    assert first.legal_rep_id_type == "resident_id"
    assert sorted(t.name for t in first.tags.all()) == ["保安服务公司", "食品生产企业"]
    assert [d.name for d in first.supervising_departments.all()] == ["晋州市市场监督管理局"]
    second = Entity.objects.get(uscc=make_uscc(5002))
    assert sorted(d.name for d in second.supervising_departments.all()) == [
        "晋州市公安局",
        "晋州市市场监督管理局",
    ]
    history = list(
        EntityRiskHistory.objects.filter(entity=first).values_list(
            "old_class", "new_class", "source", "as_of"
        )
    )
    assert history == [("", "B", "samr_general", dt.date(2025, 1, 10))]
    assert not EntityRiskHistory.objects.filter(entity=second).exists()
    event = AuditEvent.objects.get(event_type="directory.import.applied")
    assert event.actor_label == "系统"
    assert event.data["created"] == 2
    assert event.data["risk_changes"] == 1


def test_a_reimport_of_the_same_file_changes_nothing_and_says_so(catalogue: Catalogue) -> None:
    # given
    data = csv_bytes([entity_row(1, 分类标签="食品生产企业"), entity_row(2)])
    run("entities", data)
    updated_at = Entity.objects.get(uscc=make_uscc(5001)).updated_at

    # when
    report, errors = run("entities", data)

    # then
    assert (report.created, report.updated, report.unchanged, report.exit_code) == (0, 0, 2, 0)
    assert report.summary() == (
        "已导入：共 2 行，新增 0，更新 0，未变化 2；名录库已是最新，没有需要修改的记录"
    )
    assert Entity.objects.get(uscc=make_uscc(5001)).updated_at == updated_at
    assert EntityRiskHistory.objects.filter(entity__uscc=make_uscc(5001)).count() == 1


def test_an_exported_file_imports_back_unchanged(catalogue: Catalogue) -> None:
    # given
    rows = [_export_row(e) for e in Entity.objects.order_by("pk")]

    # when
    report, errors = run("entities", csv_bytes(rows))

    # then
    assert (report.created, report.updated, report.unchanged, errors) == (0, 0, 4, [])


def test_a_changed_risk_class_updates_and_keeps_the_history(catalogue: Catalogue) -> None:
    # given
    row = _export_row(catalogue.jia)
    row.update({"信用风险分类": "D", "分类来源": "部门专业领域分类", "分类日期": "2026-02-01"})

    # when
    report, errors = run("entities", csv_bytes([row]))

    # then
    assert (report.created, report.updated, report.unchanged, errors) == (0, 1, 0, [])
    catalogue.jia.refresh_from_db()
    assert (catalogue.jia.risk_class, catalogue.jia.risk_source) == ("D", "department")
    latest = EntityRiskHistory.objects.filter(entity=catalogue.jia).order_by("-id").first()
    assert latest is not None
    assert (latest.old_class, latest.new_class, latest.source, latest.as_of) == (
        "A",
        "D",
        "department",
        dt.date(2026, 2, 1),
    )
    assert report.risk_changes == 1


def test_columns_missing_from_the_file_keep_their_values(catalogue: Catalogue) -> None:
    # given
    Entity.objects.filter(pk=catalogue.jia.pk).update(liaison_name="钱七")
    header = [h for h in ENTITY_HEADER if h not in ("分类标签",)]
    row = _export_row(catalogue.jia)
    row["名称"] = "晋州市甲食品有限公司（改名）"

    # when
    report, _ = run("entities", csv_bytes([row], header=header))

    # then
    assert report.updated == 1
    catalogue.jia.refresh_from_db()
    assert catalogue.jia.name == "晋州市甲食品有限公司（改名）"
    assert catalogue.jia.liaison_name == "钱七"
    assert [t.name for t in catalogue.jia.tags.all()] == ["食品生产企业"]


def test_unambiguous_code_forms_are_normalised(catalogue: Catalogue) -> None:
    # given: full-width digits and lower-case letters
    code = make_uscc(5001)
    typed = code.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})

    # when
    report, errors = run("entities", csv_bytes([entity_row(1, 统一社会信用代码=f" {typed} ")]))

    # then
    assert (report.created, errors) == (1, [])
    assert Entity.objects.filter(uscc=code).exists()


def test_every_reason_is_reported_with_row_column_value(catalogue: Catalogue) -> None:
    # given
    code = make_uscc(5003)
    rows = [
        entity_row(1, 统一社会信用代码="91130183MA0A1B2C3O"),
        entity_row(2, 统一社会信用代码=code[:17] + ("1" if code[17] != "1" else "2")),
        entity_row(3, 名称=""),
        entity_row(4, 监管部门="晋州市不存在局"),
        entity_row(5, 行政区划代码="999999"),
        entity_row(6, 分类标签="没有这个标签"),
        entity_row(7, 成立日期="2019-02-30"),
        entity_row(8, 成立日期="去年"),
        entity_row(9, 主体类型="公司"),
        entity_row(10, 信用风险分类="E"),
        entity_row(11, 分类来源=""),
        entity_row(12, 经营异常名录="也许"),
        entity_row(13, 统一社会信用代码="", 注册号=""),
        entity_row(14, 注册号="12345"),
    ]

    # when
    report, errors = run("entities", csv_bytes(rows))

    # then
    assert (report.exit_code, report.rejected, report.applied) == (1, 14, False)
    assert errors == [
        [
            "2",
            "统一社会信用代码",
            "91130183MA0A1B2C3O",
            "统一社会信用代码格式不正确：只能包含数字和除I、O、S、V、Z以外的大写字母，"
            "第3至8位为行政区划码",
        ],
        [
            "3",
            "统一社会信用代码",
            rows[1]["统一社会信用代码"],
            f"统一社会信用代码校验位不符（应为{code[17]}，实为{rows[1]['统一社会信用代码'][17]}）；"
            "如确为早期试点代码，请在“校验位不符保存理由”列填写理由",
        ],
        ["4", "名称", "", "必填项，不能为空"],
        [
            "5",
            "监管部门",
            "晋州市不存在局",
            "平台中没有名为“晋州市不存在局”的部门（须填写部门全称）",
        ],
        ["6", "行政区划代码", "999999", "平台中没有行政区划代码“999999”"],
        ["7", "分类标签", "没有这个标签", "平台中没有以下分类标签：没有这个标签"],
        ["8", "成立日期", "2019-02-30", "不存在的日期“2019-02-30”"],
        ["9", "成立日期", "去年", "日期格式不正确，应为 2019-03-15 这样的格式"],
        [
            "10",
            "主体类型",
            "公司",
            "不是有效的选项，可填：企业、个体工商户、农民专业合作社、外国企业常驻代表机构",
        ],
        ["11", "信用风险分类", "E", "信用风险分类应为 A、B、C、D 之一，或留空"],
        ["12", "分类来源", "", "必填项，不能为空"],
        ["13", "经营异常名录", "也许", "应填写“是”或“否”"],
        ["14", "统一社会信用代码", "", "统一社会信用代码和注册号至少填写一项"],
        ["15", "注册号", "12345", "注册号应为15位数字"],
    ]
    assert Entity.objects.count() == 4
    assert not AuditEvent.objects.filter(event_type="directory.import.applied").exists()


def test_a_check_failing_code_with_a_reason_is_kept(catalogue: Catalogue) -> None:
    # given
    code = "91350100M0001TGQXM"  # a legal early pilot code that fails the check
    header = [*ENTITY_HEADER, "校验位不符保存理由"]
    row = entity_row(1, 统一社会信用代码=code, 校验位不符保存理由="福州早期试点代码，已核实")

    # when
    report, errors = run("entities", csv_bytes([row], header=header))

    # then
    assert (report.created, errors) == (1, [])
    assert Entity.objects.get(uscc=code).uscc_override_reason == "福州早期试点代码，已核实"


def test_duplicate_codes_inside_the_file_are_rejected_on_both_rows(catalogue: Catalogue) -> None:
    # given
    rows = [entity_row(1), entity_row(2), entity_row(1, 名称="重复的公司")]

    # when
    report, errors = run("entities", csv_bytes(rows))

    # then
    code = make_uscc(5001)
    assert errors == [
        ["2", "统一社会信用代码", code, "与第4行重复：同一代码在文件中出现了多次"],
        ["4", "统一社会信用代码", code, "与第2行重复：同一代码在文件中出现了多次"],
    ]
    assert (report.exit_code, report.rejected, Entity.objects.count()) == (1, 2, 4)


def test_valid_only_applies_the_valid_rows_and_reports_the_rest(catalogue: Catalogue) -> None:
    # given
    rows = [entity_row(1), entity_row(2, 成立日期="2019-13-01"), entity_row(3)]

    # when
    report, errors = run("entities", csv_bytes(rows), valid_only=True)

    # then
    assert (report.exit_code, report.created, report.rejected, report.applied) == (1, 2, 1, True)
    assert errors == [["3", "成立日期", "2019-13-01", "不存在的日期“2019-13-01”"]]
    assert set(
        Entity.objects.filter(
            uscc__in=[make_uscc(5001), make_uscc(5002), make_uscc(5003)]
        ).values_list("uscc", flat=True)
    ) == {make_uscc(5001), make_uscc(5003)}
    assert AuditEvent.objects.get(event_type="directory.import.applied").data["rejected"] == 1


def test_a_dry_run_counts_and_writes_nothing(catalogue: Catalogue) -> None:
    # given
    row = _export_row(catalogue.jia)
    row["名称"] = "改名了"

    # when
    report, _ = run("entities", csv_bytes([row, entity_row(1)]), dry_run=True)

    # then
    assert (report.exit_code, report.created, report.updated, report.applied) == (0, 1, 1, False)
    assert report.summary() == "试运行，未写入名录库：共 2 行，将新增 1，更新 1，未变化 0"
    assert Entity.objects.count() == 4
    catalogue.jia.refresh_from_db()
    assert catalogue.jia.name == "晋州市甲食品有限公司"
    assert not AuditEvent.objects.filter(event_type="directory.import.applied").exists()


def test_unknown_columns_are_reported_but_not_fatal(catalogue: Catalogue) -> None:
    # given
    header = [*ENTITY_HEADER, "备注", "内部编号"]

    # when
    report, _ = run("entities", csv_bytes([entity_row(1, 备注="x")], header=header))

    # then
    assert (report.exit_code, report.created) == (0, 1)
    assert report.messages == ["未识别的列已忽略：“备注”、“内部编号”"]


def test_columns_may_come_in_any_order(catalogue: Catalogue) -> None:
    # given
    header = list(reversed(ENTITY_HEADER))

    # when
    report, errors = run("entities", csv_bytes([entity_row(1)], header=header))

    # then
    assert (report.created, errors) == (1, [])


def test_text_that_looks_like_a_formula_is_data(catalogue: Catalogue) -> None:
    # given: CSV text is never evaluated; an exported neutralised cell comes back as it was
    rows = [
        entity_row(1, 名称='=HYPERLINK("http://x")有限公司'),
        entity_row(2, 名称="'-晋州市减号公司"),
    ]

    # when
    report, errors = run("entities", csv_bytes(rows))

    # then
    assert (report.created, errors) == (2, [])
    assert Entity.objects.get(uscc=make_uscc(5001)).name == '=HYPERLINK("http://x")有限公司'
    assert Entity.objects.get(uscc=make_uscc(5002)).name == "-晋州市减号公司"


def test_a_formula_cell_in_a_workbook_is_rejected(catalogue: Catalogue) -> None:
    # given
    row = list(entity_row(1).values())
    row[2] = '=CONCATENATE("晋州","公司")'
    data = xlsx_bytes({"Sheet1": [ENTITY_HEADER, row]})

    # when
    report, errors = run("entities", data, name="名录.xlsx")

    # then
    assert report.exit_code == 1
    assert errors == [
        [
            "2",
            "名称",
            '\'=CONCATENATE("晋州","公司")',  # neutralised for Excel
            "单元格是公式，导入不计算公式：请在 Excel 中复制后“选择性粘贴为数值”再导入",
        ]
    ]


def test_workbook_dates_and_numbers_are_read_as_officials_typed_them(
    catalogue: Catalogue,
) -> None:
    # given
    header = [*ENTITY_HEADER, "注册资本（万元）"]
    row = list(entity_row(1, 统一社会信用代码="", 注册号="130183000012345").values())
    row[1] = 130183000012345  # a number cell
    row[10] = dt.date(2019, 3, 15)  # a date cell (read back as a datetime)
    data = xlsx_bytes({"Sheet1": [header, [*row, 50.5]]})

    # when
    report, errors = run("entities", data, name="名录.xlsx")

    # then
    assert (report.created, errors) == (1, [])
    entity = Entity.objects.get(reg_no="130183000012345")
    assert (entity.uscc, entity.established_on, str(entity.reg_capital)) == (
        None,
        dt.date(2019, 3, 15),
        "50.50",
    )


def test_an_entity_known_by_reg_no_gains_its_uscc(catalogue: Catalogue) -> None:
    # given
    run("entities", csv_bytes([entity_row(1, 统一社会信用代码="", 注册号="130183000000001")]))
    row = entity_row(1, 注册号="130183000000001")

    # when
    report, errors = run("entities", csv_bytes([row]))

    # then
    assert (report.created, report.updated, errors) == (0, 1, [])
    assert Entity.objects.get(reg_no="130183000000001").uscc == make_uscc(5001)


def test_department_admin_imports_only_inside_their_subtree(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    rows = [
        entity_row(1),
        entity_row(2, 监管部门="晋州市公安局"),
        {**_export_row(catalogue.yi), "名称": "改名"},  # supervised by 公安局 only
        {**_export_row(catalogue.ding), "名称": "丁改名"},  # market and police
    ]

    # when
    report, errors = run("entities", csv_bytes(rows), actor=dept_admin)

    # then
    assert errors == [
        [
            "3",
            "监管部门",
            "晋州市公安局",
            "无权为“晋州市公安局”导入：该部门不在您的部门范围内",
        ],
        [
            "4",
            "统一社会信用代码",
            catalogue.yi.uscc,
            "无权修改该检查对象：它不由您的部门（及下级部门）监管",
        ],
    ]
    assert (report.rejected, report.applied) == (2, False)


def test_department_admin_keeps_links_outside_their_scope(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given: 丁 is supervised by market and police; the admin of market lists market only
    row = {**_export_row(catalogue.ding), "监管部门": "晋州市市场监督管理局", "名称": "丁改名"}

    # when
    report, errors = run("entities", csv_bytes([row]), actor=dept_admin)

    # then
    assert (report.updated, errors) == (1, [])
    catalogue.ding.refresh_from_db()
    assert catalogue.ding.name == "丁改名"
    assert sorted(d.name for d in catalogue.ding.supervising_departments.all()) == [
        "晋州市公安局",
        "晋州市市场监督管理局",
    ]
    event = AuditEvent.objects.get(event_type="directory.import.applied")
    assert event.actor == dept_admin


def test_an_empty_department_cell_takes_the_import_department(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # when
    report, errors = run("entities", csv_bytes([entity_row(1, 监管部门="")]), actor=dept_admin)

    # then
    assert (report.created, errors) == (1, [])
    entity = Entity.objects.get(uscc=make_uscc(5001))
    assert [d.name for d in entity.supervising_departments.all()] == ["晋州市市场监督管理局"]


def test_platform_admin_may_replace_all_departments(
    catalogue: Catalogue, platform_admin: User
) -> None:
    # given
    row = {**_export_row(catalogue.ding), "监管部门": "晋州市公安局"}

    # when
    report, errors = run("entities", csv_bytes([row]), actor=platform_admin)

    # then
    assert (report.updated, errors) == (1, [])
    assert [d.name for d in catalogue.ding.supervising_departments.all()] == ["晋州市公安局"]
