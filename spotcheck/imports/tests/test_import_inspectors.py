"""Importing 执法检查人员: upsert by 执法证号, certificates, departments in scope."""

from __future__ import annotations

import datetime as dt

import time_machine

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import SpecialityFactory
from spotcheck.imports.tests.helpers import INSPECTOR_HEADER, csv_bytes, inspector_row, run
from spotcheck.testing.personas import Departments


def test_inspectors_are_created_and_updated_by_certificate_number(
    departments: Departments,
) -> None:
    # given
    SpecialityFactory(code="food", name="食品")
    run("inspectors", csv_bytes([inspector_row(1), inspector_row(2)]))
    rows = [inspector_row(1, 职务="副所长", 业务专长="食品"), inspector_row(2), inspector_row(3)]

    # when
    report, errors = run("inspectors", csv_bytes(rows))

    # then
    assert (report.created, report.updated, report.unchanged, errors) == (1, 1, 1, [])
    first = Inspector.objects.get(certificate_no="JZIMP0001")
    assert (first.post, first.department, first.status) == ("副所长", departments.market, "on_duty")
    assert [s.name for s in first.specialities.all()] == ["食品"]
    assert Inspector.objects.count() == 3


@time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
def test_an_expired_certificate_is_imported_with_a_warning(departments: Departments) -> None:
    # given
    row = inspector_row(1, 证件有效期至="2025-12-31")

    # when
    report, errors = run("inspectors", csv_bytes([row]))

    # then
    assert (report.exit_code, report.created, report.warnings) == (0, 1, 1)
    assert errors == [
        [
            "2",
            "证件有效期至",
            "2025-12-31",
            "警告：执法证已于2025-12-31过期：照常导入，过期期间该人员不会被抽取",
        ]
    ]
    inspector = Inspector.objects.get(certificate_no="JZIMP0001")
    assert not inspector.is_drawable_on(dt.date(2026, 3, 1))


def test_certificate_and_field_rules_are_checked(departments: Departments) -> None:
    # given
    header = [*INSPECTOR_HEADER, "专家领域"]
    rows = [
        inspector_row(1, 证件有效期自="2030-01-01", 证件有效期至="2029-12-31"),
        inspector_row(2, 执法证号=""),
        inspector_row(3, 人员类别="临时工"),
        inspector_row(4, 所属部门="不存在的局"),
        inspector_row(5, 专家="是"),
        inspector_row(6, 业务专长="飞行"),
    ]

    # when
    report, errors = run("inspectors", csv_bytes(rows, header=header))

    # then
    assert errors == [
        ["2", "证件有效期至", "2029-12-31", "证件有效期截止日期不能早于起始日期"],
        ["3", "执法证号", "", "必填项，不能为空"],
        [
            "4",
            "人员类别",
            "临时工",
            "不是有效的选项，可填：行政执法类公务员、具有行政执法资格的工作人员、从事日常监管工作的人员",
        ],
        ["5", "所属部门", "不存在的局", "平台中没有名为“不存在的局”的部门（须填写部门全称）"],
        ["6", "专家领域", "", "专家须填写专家领域"],
        ["7", "业务专长", "飞行", "平台中没有以下业务专长：飞行"],
    ]
    assert (report.exit_code, Inspector.objects.count()) == (1, 0)


def test_a_new_expert_without_the_field_column_is_rejected(departments: Departments) -> None:
    # when
    report, errors = run("inspectors", csv_bytes([inspector_row(1, 专家="是")]))

    # then
    assert errors == [["2", "专家", "是", "专家须填写专家领域：请在文件中增加“专家领域”列"]]
    assert Inspector.objects.count() == 0


def test_department_admin_cannot_import_or_move_other_departments_people(
    departments: Departments, dept_admin: User, other_inspector_record: Inspector
) -> None:
    # given
    rows = [
        inspector_row(1, 所属部门="晋州市公安局"),
        inspector_row(2, 执法证号=other_inspector_record.certificate_no),
        inspector_row(3, 所属部门=""),
    ]

    # when
    report, errors = run("inspectors", csv_bytes(rows), actor=dept_admin, valid_only=True)

    # then
    assert errors == [
        [
            "2",
            "所属部门",
            "晋州市公安局",
            "无权导入其他部门的人员：“晋州市公安局”不在您的部门范围内",
        ],
        [
            "3",
            "执法证号",
            "JZGA0001",
            "该执法证号已登记在“晋州市公安局”，不在您的部门范围内，无权修改",
        ],
    ]
    assert report.created == 1
    assert Inspector.objects.get(certificate_no="JZIMP0003").department == departments.market
    other_inspector_record.refresh_from_db()
    assert other_inspector_record.name == "王检查"


def test_duplicate_certificate_numbers_are_rejected(departments: Departments) -> None:
    # when
    report, errors = run(
        "inspectors", csv_bytes([inspector_row(1), inspector_row(1, 姓名="同证号")])
    )

    # then
    assert errors == [
        ["2", "执法证号", "JZIMP0001", "与第3行重复：同一代码在文件中出现了多次"],
        ["3", "执法证号", "JZIMP0001", "与第2行重复：同一代码在文件中出现了多次"],
    ]
    assert Inspector.objects.count() == 0
