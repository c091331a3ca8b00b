"""The small 晋州市 scenario of the browser tests, and the records some of them start from.

``build_scenario`` is behind the ``scenario`` fixture (conftest.py): 3 departments,
30 entities, 8 inspectors and one user per role, built afresh for every test because
``live_server`` flushes the database after each one.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.utils import timezone

from spotcheck.accounts.choices import RegionLevel, Role
from spotcheck.accounts.models import Region
from spotcheck.accounts.services import department_create, user_create
from spotcheck.campaigns.services import plan_create, task_create
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import ResultCode
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.core.draw import new_secret
from spotcheck.core.uscc import build_uscc
from spotcheck.directory.choices import (
    EntityType,
    Gender,
    InspectorCategory,
    InspectorStatus,
    RiskSource,
)
from spotcheck.directory.models import Entity, Inspector, Speciality, Tag
from spotcheck.directory.services import entity_bulk_create, inspector_bulk_create
from spotcheck.draws.ceremony import draw_announce, draw_commit, draw_prepare, draw_reveal, draw_run
from spotcheck.followup.services import cases_open_for_record
from spotcheck.followup.tests.factories import set_result
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Departments, Regions
from spotcheck.workflow.task_steps import task_publish
from tests.browser.helpers import GAJ, JINZHOU, LEAD, PASSWORD, SCJ

_BRANDS = ["恒丰", "润泽", "聚信", "鼎盛", "安泰", "宏远", "德润", "汇通", "金诚", "瑞祥"]
_TRADES = ["商贸", "食品", "餐饮"]
LONG_NAME = "晋州市东卓宿镇恒丰润泽聚信鼎盛安泰宏远农业科技发展有限责任公司第一分公司（演示）"
# what the inspector wrote on the server in the records of ``offline_records``
FINDINGS = "查验营业执照、食品经营许可证，均在有效期内"


@dataclass
class Scenario:
    """The rows a test may need, by role."""

    today: dt.date
    departments: dict[str, Any]  # "lead", "scj", "gaj"
    users: dict[str, Any]  # "admin", "lead", "scj_admin", "gaj_admin", "scj_inspector", ...
    entities: list[Any]
    scj_only: Any  # supervised by 市场监管局 alone: 公安局 must not see it
    shared_gaj: Any  # supervised by 公安局 and 市场监管局
    inspectors: dict[str, Any]  # by name
    own_inspector: Any  # the record of the scj_inspector user
    expired_inspector: Any  # 市场监管局, 执法证 expired 30 days ago


def _uscc(n: int) -> str:
    return build_uscc("9", "1", JINZHOU, f"{n:08d}")


def _entity_departments(index: int, deps: dict[str, Any]) -> list[Any]:
    slot = index % 10
    if slot < 6:
        return [deps["scj"]]
    if slot < 8:
        return [deps["gaj"], deps["scj"]]
    if slot == 8:
        return [deps["lead"], deps["scj"]]
    return [deps["gaj"]]


def build_scenario() -> Scenario:
    """30 entities, 8 inspectors and one user per role in 晋州市 (valid GB 32100 codes).

    Entity ``i`` is named after brand ``i % 10`` and trade ``i // 10``, has risk class
    ``"ABCD"[i % 4]`` (the last one none) and is supervised by 市场监管局 unless
    ``i % 10 == 9`` (公安局 only); ``i % 10`` in 6, 7 adds 公安局, 8 adds 政府办.
    """
    today = timezone.localdate()
    county, deps = _jinzhou_and_departments()
    food = Tag.objects.create(code="food-business", name="食品经营", department=deps["scj"])
    Tag.objects.create(code="security-service", name="保安服务公司", department=deps["gaj"])
    specs = {
        code: Speciality.objects.create(code=code, name=name)
        for code, name in (("registration", "登记注册"), ("security-service", "保安服务监管"))
    }
    entities = _entities(county, deps, food)
    inspectors = _inspectors(today, deps, specs)
    users = _users(deps)
    own = inspectors["张明"]
    own.user = users["scj_inspector"]
    own.save(update_fields=["user"])

    return Scenario(
        today=today,
        departments=deps,
        users=users,
        entities=entities,
        scj_only=entities[0],
        shared_gaj=entities[6],
        inspectors=inspectors,
        own_inspector=own,
        expired_inspector=inspectors["王芳"],
    )


def _jinzhou_and_departments() -> tuple[Region, dict[str, Any]]:
    """河北省 → 石家庄市 → 晋州市, and the three departments of 晋州市."""
    province = Region.objects.create(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(
        code="130100", name="石家庄市", level=RegionLevel.CITY, parent=province
    )
    county = Region.objects.create(
        code=JINZHOU, name="晋州市", level=RegionLevel.COUNTY, parent=city
    )
    deps = {
        key: department_create(actor=None, name=name, short_name=short, region=county)
        for key, name, short in (
            ("lead", LEAD, "晋州市政府办"),
            ("scj", SCJ, "晋州市市场监管局"),
            ("gaj", GAJ, "晋州市公安局"),
        )
    }
    return county, deps


def _entities(county: Region, deps: dict[str, Any], food: Tag) -> list[Entity]:
    """The 30 entities of the scenario (see ``build_scenario``)."""
    rows = []
    for i in range(30):
        risk = "" if i == 29 else "ABCD"[i % 4]
        trade = _TRADES[i // 10]
        legacy = i == 28  # an old entity known by its 15-digit 注册号 only
        entity = Entity(
            uscc=None if legacy else _uscc(i + 1),
            reg_no=f"{JINZHOU}600{i:06d}" if legacy else "",
            name=LONG_NAME if i == 5 else f"晋州市{_BRANDS[i % 10]}{trade}有限公司（演示）",
            entity_type=EntityType.ENTERPRISE,
            enterprise_type_code="1120",
            legal_rep_name="张三丰",
            legal_rep_id_masked=f"1301**********{1000 + i}",
            address=f"河北省晋州市晋州镇演示大街{i + 1}号",
            region=county,
            reg_authority_code=JINZHOU,
            reg_authority_name=SCJ,
            industry_code="F5212",
            reg_capital=Decimal(100 * (i + 1)),
            established_on=dt.date(2010, 1 + i % 12, 1),
            risk_class=risk,
            risk_source=RiskSource.SAMR_GENERAL if risk else "",
            risk_as_of=dt.date(2026, 1, 31) if risk else None,
        )
        rows.append((entity, _entity_departments(i, deps), [food] if trade != "商贸" else []))
    entity_bulk_create(actor=None, rows=rows)
    return [entity for entity, _, _ in rows]


def _inspectors(
    today: dt.date, deps: dict[str, Any], specs: dict[str, Speciality]
) -> dict[str, Inspector]:
    """Eight inspectors by name: four of 市场监管局 (王芳's 执法证 expired), two of each other."""
    valid = (today - dt.timedelta(days=2 * 365), today + dt.timedelta(days=3 * 365))
    expired = (today - dt.timedelta(days=6 * 365), today - dt.timedelta(days=30))
    # (name, department, certificate validity, status, expert)
    people = [
        ("张明", "scj", valid, InspectorStatus.ON_DUTY, False),
        ("李强", "scj", valid, InspectorStatus.ON_DUTY, False),
        ("王芳", "scj", expired, InspectorStatus.ON_DUTY, False),
        ("赵敏", "scj", valid, InspectorStatus.LEAVE, True),
        ("刘洋", "gaj", valid, InspectorStatus.ON_DUTY, False),
        ("陈静", "gaj", valid, InspectorStatus.ON_DUTY, False),
        ("杨帆", "lead", valid, InspectorStatus.ON_DUTY, False),
        ("黄磊", "lead", valid, InspectorStatus.ON_DUTY, False),
    ]
    inspector_rows = []
    for n, (name, dep, (valid_from, valid_until), status, expert) in enumerate(people, start=1):
        inspector = Inspector(
            name=name,
            gender=Gender.MALE if n % 2 else Gender.FEMALE,
            id_masked=f"1301**********{2000 + n}",
            phone=f"1390311{1000 + n}",
            department=deps[dep],
            unit=f"{deps[dep].short_name}执法{n % 3 + 1}科",
            post="科员",
            category=InspectorCategory.CIVIL_SERVANT,
            certificate_no=f"1302018324{n:04d}",
            certificate_authority="河北省人民政府",
            certificate_valid_from=valid_from,
            certificate_valid_until=valid_until,
            status=status,
            is_expert=expert,
            expert_field="广告监管" if expert else "",
        )
        spec = specs["security-service" if dep == "gaj" else "registration"]
        inspector_rows.append((inspector, [spec], []))
    inspector_bulk_create(actor=None, rows=inspector_rows)
    return {inspector.name: inspector for inspector, _, _ in inspector_rows}


def _users(deps: dict[str, Any]) -> dict[str, Any]:
    """One user per role, by username; all sign in with ``PASSWORD``."""
    users = {}
    for username, display, role, dep in (
        ("admin", "平台管理员", Role.PLATFORM_ADMIN, None),
        ("lead", "政府办管理员", Role.LEAD_ADMIN, "lead"),
        ("scj_admin", "市场监管局管理员", Role.DEPT_ADMIN, "scj"),
        ("gaj_admin", "公安局管理员", Role.DEPT_ADMIN, "gaj"),
        ("scj_inspector", "张明", Role.INSPECTOR, "scj"),
        ("auditor", "审计员", Role.AUDITOR, None),
    ):
        users[username] = user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            display_name=display,
            role=role,
            department=deps[dep] if dep else None,
        )
    return users


def _result_codes_loaded() -> None:
    """Load the result codes again: live_server flushes the database after each test, the
    data migration's codes included."""
    if not ResultCode.objects.filter(code="A").exists():
        ResultCode.objects.all().delete()
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)


def field_record(scenario: Scenario) -> Any:
    """A record of 市场监管局 only, planned today, for 张明's group (张明 and 李强)."""
    _result_codes_loaded()
    deps = scenario.departments
    item = make_item(deps["scj"], "SJ-01", name="食品经营许可和经营条件")
    lead_item = make_item(deps["lead"], "ZF-01")
    item.result_codes.set(ResultCode.objects.all())
    task = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=Region.objects.get(code="130183")),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [item])],
    )
    group = make_group(task, [scenario.own_inspector, scenario.inspectors["李强"]])
    record = make_record(task, scenario.scj_only, group, [item])
    type(record).objects.filter(pk=record.pk).update(planned_on=scenario.today)
    type(task).objects.filter(pk=task.pk).update(
        window_start=scenario.today, window_end=scenario.today + dt.timedelta(days=30)
    )
    return record


def offline_records(scenario: Scenario) -> list[Any]:
    """Two records of 张明's group, due today, with his item half filled in on the server."""
    _result_codes_loaded()
    deps = scenario.departments
    item = make_item(deps["scj"], "SJ-01", name="食品经营许可和经营条件")
    item.result_codes.set(ResultCode.objects.all())
    lead_item = make_item(deps["lead"], "ZF-01")
    task = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=Region.objects.get(code="130183")),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [item])],
    )
    type(task).objects.filter(pk=task.pk).update(
        window_start=scenario.today, window_end=scenario.today + dt.timedelta(days=30)
    )
    group = make_group(task, [scenario.own_inspector, scenario.inspectors["李强"]])
    records = [make_record(task, e, group, [item]) for e in scenario.entities[:2]]
    for record in records:
        type(record).objects.filter(pk=record.pk).update(planned_on=scenario.today)
        row = record.items.get()
        type(row).objects.filter(pk=row.pk).update(findings=FINDINGS)
        row.result_codes.set([ResultCode.objects.get(code="1")])
    return records


def case_from_a_check(scenario: Scenario) -> Any:
    """A joint record whose market item found 未按规定公示应当公示的信息, and its case."""
    deps = scenario.departments
    departments = Departments(
        lead_office=deps["lead"], market=deps["scj"], police=deps["gaj"], city_market=deps["scj"]
    )
    county = Region.objects.get(code="130183")
    regions = Regions(province=county.parent.parent, city=county.parent, county=county)
    lead_item = make_item(deps["lead"], "JR-01", name="联合检查组织")
    market_item = make_item(deps["scj"], "SJ-01", name="企业公示信息情况检查")
    police_item = make_item(deps["gaj"], "GA-01", name="保安服务公司检查")
    task = make_task(
        departments,
        regions,
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [market_item]), (deps["gaj"], [police_item])],
    )
    inspectors = scenario.inspectors
    group = make_group(task, [inspectors["张明"], inspectors["刘洋"]])
    record = make_record(task, scenario.shared_gaj, group, [market_item, police_item])
    set_result(
        record.items.get(item=market_item),
        ["A", "2", "B"],
        "未按规定公示2025年度报告；现场发现从事保安服务未取得许可",
        scenario.users["scj_inspector"],
    )
    set_result(record.items.get(item=police_item), ["1"], "", scenario.users["scj_inspector"])
    (case,) = cases_open_for_record(actor=scenario.users["lead"], record=record)
    return case


def published_task(
    scenario: Scenario,
    *,
    ratio: Decimal = Decimal("10"),
    window_end: dt.date = dt.date(2026, 7, 30),
) -> Any:
    """A published joint task of the lead office and the 市场监管局 over the scenario,
    drawing ``ratio`` per cent of every class."""
    lead_dept = scenario.departments["lead"]
    scj_dept = scenario.departments["scj"]
    lead = scenario.users["lead"]
    every_type = ["enterprise", "individual", "cooperative"]
    items = [
        make_item(lead_dept, "JR-01", entity_types=every_type),
        make_item(scj_dept, "SJ-01", entity_types=every_type),
    ]
    plan = plan_create(
        actor=lead, year=2026, name="计划", number="计划〔2026〕1号", department=lead_dept
    )
    task = task_create(
        actor=lead,
        values={
            "plan": plan,
            "number": "晋州市政府办抽查〔2026〕10号",
            "name": "第十次联合抽查",
            "lead_department": lead_dept,
            "scope_region": scenario.entities[0].region,
            "ratio_a": ratio,
            "ratio_b": ratio,
            "ratio_c": ratio,
            "ratio_d": ratio,
            "ratio_unclassified": ratio,
            "window_start": dt.date(2026, 3, 1),
            "window_end": window_end,
        },
        participants=[(lead_dept, [items[0]]), (scj_dept, [items[1]])],
    )
    task_publish(actor=lead, task=task, late_reason="按年度抽查计划组织实施")
    return task


def drawn_by(task: Any, lead: Any, official: Any) -> Any:
    """Run the draw ceremony of ``task`` with two officials: prepare, commit, announce,
    reveal and draw; return the drawn attempt."""
    attempt = draw_prepare(actor=lead, task=task, officials=[lead, official])
    secrets = {lead: new_secret(), official: new_secret()}
    for who, secret in secrets.items():
        draw_commit(actor=who, attempt=attempt, secret=secret)
    draw_announce(actor=lead, attempt=attempt)
    for who, secret in secrets.items():
        draw_reveal(actor=who, attempt=attempt, secret=secret)
    return draw_run(actor=lead, attempt=attempt)
