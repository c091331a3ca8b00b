"""The demo scenario: 晋州市 2026 第十次跨部门联合抽查 and a synthetic directory.

Everything here is fictitious: every entity name carries （演示）, codes are
generated to pass the GB 32100 check, ID numbers are masked forms of random digits
(only masked ID numbers are ever stored) and phone numbers are random digits, stored
in full like real ones.  The generator is seeded so every load produces the same data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.access.roles import Role
from spotcheck.accounts.choices import RegionLevel
from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.services import department_create, user_create
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskType
from spotcheck.campaigns.services import plan_create, plan_publish, task_create
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.services import item_create
from spotcheck.core.uscc import ALPHABET, build_uscc
from spotcheck.demo.catalogue import DEMO_ITEMS
from spotcheck.directory.choices import (
    EntityType,
    Gender,
    InspectorCategory,
    InspectorStatus,
    RegStatus,
    RiskClass,
    RiskSource,
)
from spotcheck.directory.models import Entity, Inspector, ItemType, Speciality, Tag
from spotcheck.directory.services import entity_bulk_create, inspector_bulk_create
from spotcheck.workflow.task_steps import task_publish

DEMO_PASSWORD = "spotcheck-demo-2026"  # noqa: S105 - published demo credential
JINZHOU = "130183"
LEAD = "晋州市人民政府办公室"
SCJ = "晋州市市场监督管理局"
GAJ = "晋州市公安局"

_REGIONS = [
    ("130000", "河北省", RegionLevel.PROVINCE, None),
    ("130100", "石家庄市", RegionLevel.CITY, "130000"),
    (JINZHOU, "晋州市", RegionLevel.COUNTY, "130100"),
]

# (name, short name, region, parent name)
_DEPARTMENTS = [
    ("河北省人民政府办公厅", "省政府办公厅", "130000", None),
    ("石家庄市人民政府办公室", "石家庄市政府办", "130100", "河北省人民政府办公厅"),
    (LEAD, "晋州市政府办", JINZHOU, "石家庄市人民政府办公室"),
    ("河北省市场监督管理局", "省市场监管局", "130000", None),
    ("石家庄市市场监督管理局", "石家庄市市场监管局", "130100", "河北省市场监督管理局"),
    (SCJ, "晋州市市场监管局", JINZHOU, "石家庄市市场监督管理局"),
    ("河北省公安厅", "省公安厅", "130000", None),
    ("石家庄市公安局", "石家庄市公安局", "130100", "河北省公安厅"),
    (GAJ, "晋州市公安局", JINZHOU, "石家庄市公安局"),
]

# (code, name, owning department)
_TAGS = [
    ("microcredit", "小额贷款公司", LEAD),
    ("pawnshop", "典当行", LEAD),
    ("financing-guarantee", "融资担保公司", LEAD),
    ("financial-leasing", "融资租赁公司", LEAD),
    ("security-service", "保安服务公司", GAJ),
    ("financial-premises", "金融机构营业场所", GAJ),
    ("food-business", "食品经营", SCJ),
    ("advertising", "广告经营", SCJ),
]

_SPECIALITIES = [
    ("local-finance", "地方金融监管"),
    ("registration", "登记注册"),
    ("credit-publicity", "信用监管与信息公示"),
    ("advertising", "广告监管"),
    ("technical-prevention", "技术防范"),
    ("security-service", "保安服务监管"),
    ("law", "法制审核"),
    ("accounting", "财务会计"),
]

# The inspection item types named in the plan, by department (seed plan §二).
_ITEM_TYPES = [
    ("fin-admission", "地方金融组织准入类检查", LEAD),
    ("fin-change", "地方金融组织各项变更事项审批、备案检查", LEAD),
    ("fin-compliance", "地方金融组织一般合规性检查", LEAD),
    ("microcredit-business", "小额贷款公司经营业务类检查", LEAD),
    ("fin-suspension", "对地方金融组织执行暂停相关业务监管措施检查", LEAD),
    ("pawn-business", "典当行经营业务类检查", LEAD),
    ("guarantee-business", "融资担保公司经营业务类检查", LEAD),
    ("leasing-business", "融资租赁公司经营业务类检查", LEAD),
    ("registration", "登记事项检查", SCJ),
    ("publicity", "公示信息检查", SCJ),
    ("advertising", "广告行为检查", SCJ),
    ("premises-security", "对金融机构营业场所、金库安全防范设施建设的监管", GAJ),
    ("security-service", "保安服务业检查", GAJ),
]

_SPECIALITY_BY_DEPT = {
    LEAD: ["local-finance", "accounting", "law"],
    SCJ: ["registration", "credit-publicity", "advertising", "law"],
    GAJ: ["technical-prevention", "security-service", "law"],
}

_TOWNS = [
    "晋州镇",
    "总十庄镇",
    "营里镇",
    "桃园镇",
    "东卓宿镇",
    "马于镇",
    "小樵镇",
    "槐树镇",
    "东里庄镇",
    "周家庄乡",
]
_STREETS = ["演示大街", "示范路", "样例街", "模拟路", "虚拟大道", "试点街"]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力波宁鹏斌宇浩凯晨欣怡佳琪雪梅婷"  # noqa: E501
)
_BRANDS = [
    "恒丰",
    "润泽",
    "聚信",
    "鼎盛",
    "安泰",
    "宏远",
    "德润",
    "汇通",
    "金诚",
    "瑞祥",
    "永利",
    "丰源",
    "昌隆",
    "盛和",
    "华信",
    "嘉禾",
    "正元",
    "同舟",
    "广益",
    "信达",
    "卓越",
    "鑫源",
    "博远",
    "和顺",
    "兴旺",
    "天成",
    "裕丰",
    "泰和",
    "明德",
    "晋兴",
]
_GENERAL_TRADES = [
    ("商贸", "F5212", "food-business"),
    ("食品", "F5221", "food-business"),
    ("餐饮", "H6210", "food-business"),
    ("广告", "L7251", "advertising"),
    ("农业科技", "A0190", None),
    ("机械制造", "C3490", None),
    ("建材", "F5165", None),
    ("物流", "G5430", None),
    ("文化传媒", "R8770", "advertising"),
    ("果品", "F5124", None),
]

# (kind of financial or security entity, count, tag, industry code, departments)
_SPECIAL_ENTITIES = [
    ("小额贷款有限公司", 40, "microcredit", "J6635", (LEAD, SCJ)),
    ("典当有限责任公司", 32, "pawnshop", "J6633", (LEAD, SCJ)),
    ("融资担保有限公司", 10, "financing-guarantee", "J6990", (LEAD, SCJ)),
    ("融资租赁有限公司", 8, "financial-leasing", "J6631", (LEAD, SCJ)),
    ("保安服务有限公司", 12, "security-service", "L7271", (GAJ, SCJ)),
]
_BANKS = ["演示农村商业银行", "示范村镇银行", "样例商业银行"]
_BANK_BRANCH_COUNT = 24
_TOTAL_ENTITIES = 2400
_LEGACY_REG_NO_COUNT = 30
_INSPECTORS_PER_DEPT = 24
_RISK_WEIGHTS = [("A", 40), ("B", 35), ("C", 18), ("D", 7)]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    department: str | None
    display_name: str


DEMO_LOGINS = [
    DemoLogin("admin", Role.PLATFORM_ADMIN, None, "平台管理员（演示）"),
    DemoLogin("lead", Role.LEAD_ADMIN, LEAD, "政府办管理员（演示）"),
    DemoLogin("scj_admin", Role.DEPT_ADMIN, SCJ, "市场监管局管理员（演示）"),
    DemoLogin("gaj_admin", Role.DEPT_ADMIN, GAJ, "公安局管理员（演示）"),
    DemoLogin(
        "sjz_scj_admin",
        Role.DEPT_ADMIN,
        "石家庄市市场监督管理局",
        "石家庄市市场监管局管理员（演示）",
    ),
    DemoLogin("zfb_inspector", Role.INSPECTOR, LEAD, ""),
    DemoLogin("scj_inspector", Role.INSPECTOR, SCJ, ""),
    DemoLogin("gaj_inspector", Role.INSPECTOR, GAJ, ""),
    DemoLogin("auditor", Role.AUDITOR, None, "审计员（演示）"),
]


class DemoAlreadyLoaded(Exception):
    """The database is not empty; the scenario loads only into an empty one."""


def database_is_empty() -> bool:
    return not (Department.objects.exists() or Entity.objects.exists() or User.objects.exists())


class _Generator:
    def __init__(self, today: dt.date) -> None:
        self.rng = random.Random(20260301)  # noqa: S311 - reproducible demo, not security
        self.phone_rng = random.Random(20261207)  # noqa: S311 - as above
        self.today = today
        self.used_codes: set[str] = set()

    def person(self) -> str:
        given = "".join(self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2))))
        return self.rng.choice(_SURNAMES) + given

    def masked_id(self) -> str:
        return f"1301{'*' * 10}{self.rng.randrange(1000, 9999)}"

    def phone(self) -> str:
        """An 11-digit mobile number, stored in full as real ones are (docs/access.md)."""
        prefix = f"1{self.rng.choice('3589')}{self.rng.randrange(0, 10)}"
        # the middle digits come from a generator of their own, so that every other
        # value of the demo stays what it was when the numbers were stored masked
        middle = self.phone_rng.randrange(0, 10_000)
        return f"{prefix}{middle:04d}{self.rng.randrange(1000, 9999)}"

    def uscc(self, kind: str) -> str:
        while True:
            body = "MA0" + "".join(self.rng.choice(ALPHABET[:-1]) for _ in range(5))
            code = build_uscc("9", kind, JINZHOU, body)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def address(self) -> str:
        return (
            f"河北省晋州市{self.rng.choice(_TOWNS)}{self.rng.choice(_STREETS)}"
            f"{self.rng.randrange(1, 400)}号"
        )

    def risk(self) -> str:
        classes, weights = zip(*_RISK_WEIGHTS, strict=True)
        return self.rng.choices(classes, weights=weights)[0]

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange((end - start).days))


@transaction.atomic
def load_demo(*, today: dt.date) -> dict[str, int]:
    """Load the scenario into an empty database; refuse otherwise."""
    if not database_is_empty():
        raise DemoAlreadyLoaded("数据库中已有数据，演示场景只能载入空数据库")
    gen = _Generator(today)
    regions = _load_regions()
    departments = _load_departments(regions)
    tags = {
        code: Tag.objects.create(code=code, name=name, department=departments[dept])
        for code, name, dept in _TAGS
    }
    specialities = {
        code: Speciality.objects.create(code=code, name=name) for code, name in _SPECIALITIES
    }
    item_types = {
        code: ItemType.objects.create(code=code, name=name, department=departments[d])
        for code, name, d in _ITEM_TYPES
    }
    _load_catalogue(departments, tags, specialities, item_types)
    entity_count = _load_entities(gen, regions[JINZHOU], departments, tags)
    inspectors = _load_inspectors(gen, departments, specialities, item_types)
    _load_users(departments, inspectors)
    _load_seed_task(regions[JINZHOU], departments, tags, User.objects.get(username="lead"))
    audit_record(
        actor=None,
        event_type=events.DEMO_LOADED,
        data={"entities": entity_count, "inspectors": len(inspectors)},
    )
    return {
        "departments": len(departments),
        "entities": entity_count,
        "inspectors": len(inspectors),
        "users": len(DEMO_LOGINS),
    }


def _load_catalogue(
    departments: dict[str, Department],
    tags: dict[str, Tag],
    specialities: dict[str, Speciality],
    item_types: dict[str, ItemType],
) -> None:
    codes = {c.code: c for c in ResultCode.objects.all()}
    for item in DEMO_ITEMS:
        item_type = item_types[item.item_type]
        entity_types = [EntityType.ENTERPRISE] if item.tags else list(EntityType.values)
        item_create(
            actor=None,
            values={
                "department": item_type.department,
                "code": item.code,
                "name": item_type.name,
                "item_type": item_type,
                "legal_basis": item.legal_basis,
                "methods": list(item.methods),
                "entity_types": entity_types,
                "item_class": item.item_class,
                "ratio_min": item.ratio_min,
                "ratio_max": item.ratio_max,
                "speciality": specialities[item.speciality] if item.speciality else None,
            },
            sub_items=item.sub_items,
            result_codes=[codes[c] for c in item.result_codes],
            tags=[tags[t] for t in item.tags],
        )


SEED_TASK_NUMBER = "晋州市政府办抽查〔2026〕10号"


def _load_seed_task(
    region: Region, departments: dict[str, Department], tags: dict[str, Tag], lead_admin: User
) -> None:
    """The seed plan itself: the 10th joint spot-check of 2026, published, not yet drawn."""
    lead = departments[LEAD]
    plan = plan_create(
        actor=lead_admin,
        year=2026,
        name="晋州市2026年“双随机、一公开”监管工作实施方案",
        number="晋州市政府办抽查计划〔2026〕1号",
        department=lead,
        is_joint=True,
    )
    plan_publish(actor=lead_admin, plan=plan)
    items_by_department: dict[Department, list[InspectionItem]] = {}
    for item in InspectionItem.objects.select_related("department"):
        items_by_department.setdefault(item.department, []).append(item)
    task = task_create(
        actor=lead_admin,
        values={
            "plan": plan,
            "number": SEED_TASK_NUMBER,
            "name": "晋州市2026年第十次跨部门“双随机、一公开”联合抽查",
            "task_type": TaskType.DIRECTED,
            "lead_department": lead,
            "scope_entity_types": [EntityType.ENTERPRISE],
            "scope_department": lead,
            "scope_region": region,
            "ratio_a": Decimal("3"),
            "ratio_b": Decimal("3"),
            "ratio_c": Decimal("3"),
            "ratio_d": Decimal("3"),
            "floor_ratio": Decimal("3"),
            "window_start": dt.date(2026, 3, 1),
            "window_end": dt.date(2026, 7, 30),
            "publish_object_list": True,
        },
        participants=[(lead, items_by_department[lead])]
        + [(departments[d], items_by_department[departments[d]]) for d in (SCJ, GAJ)],
        scope_tags=[tags["microcredit"], tags["pawnshop"]],
    )
    # the seed plan's window may be over when the demo is loaded: the reason says why it
    # is published all the same (kept in the audit record only when it is needed)
    task_publish(actor=lead_admin, task=task, late_reason="按实施方案发布（演示数据）")


def _load_regions() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, name, level, parent in _REGIONS:
        regions[code] = Region.objects.create(
            code=code, name=name, level=level, parent=regions.get(parent or "")
        )
    return regions


def _load_departments(regions: dict[str, Region]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for name, short_name, region, parent in _DEPARTMENTS:
        departments[name] = department_create(
            actor=None,
            name=name,
            short_name=short_name,
            region=regions[region],
            parent=departments.get(parent or ""),
        )
    return departments


def _new_entity(gen: _Generator, region: Region, **values: object) -> Entity:
    risk = gen.risk()
    entity = Entity(
        region=region,
        legal_rep_name=gen.person(),
        legal_rep_id_masked=gen.masked_id(),
        legal_rep_phone=gen.phone(),
        liaison_name=gen.person(),
        liaison_phone=gen.phone(),
        address=gen.address(),
        reg_authority_code=JINZHOU,
        reg_authority_name=SCJ,
        jurisdiction_unit=f"{SCJ}{gen.rng.choice(_TOWNS)}市场监管所",
        established_on=gen.date_between(dt.date(2005, 1, 1), dt.date(2025, 6, 30)),
        reg_status=RegStatus.ACTIVE,
        risk_class=risk,
        risk_source=RiskSource.SAMR_GENERAL,
        risk_as_of=dt.date(2026, 1, 31),
        on_abnormal_list=risk == RiskClass.D and gen.rng.random() < 0.3,
        on_serious_illegal_list=risk == RiskClass.D and gen.rng.random() < 0.05,
    )
    for field, value in values.items():
        setattr(entity, field, value)
    return entity


_EntityRow = tuple[Entity, list[Department], list[Tag]]


def _brand_names() -> Iterator[str]:
    """870 two-word brand names, then the same prefixed by a town: never repeats."""
    return itertools.chain(
        (f"{b1}{b2}" for b1 in _BRANDS for b2 in _BRANDS if b1 != b2),
        (f"{t[:2]}{b1}{b2}" for t in _TOWNS for b1 in _BRANDS for b2 in _BRANDS if b1 != b2),
    )


def _special_entities(
    gen: _Generator,
    region: Region,
    brands: Iterator[str],
    departments: dict[str, Department],
    tags: dict[str, Tag],
) -> list[_EntityRow]:
    """The financial and other special kinds, each in every risk class at least once."""
    rows: list[_EntityRow] = []
    for suffix, count, tag, industry, depts in _SPECIAL_ENTITIES:
        for index in range(count):
            # give every financial kind at least one entity in each risk class
            risk = "ABCD"[index] if index < 4 else gen.risk()
            entity = _new_entity(
                gen,
                region,
                uscc=gen.uscc("1"),
                name=f"晋州市{next(brands)}{suffix}（演示）",
                entity_type=EntityType.ENTERPRISE,
                enterprise_type_code="1120",
                industry_code=industry,
                reg_capital=Decimal(gen.rng.choice((1000, 2000, 3000, 5000, 10000))),
                risk_class=risk,
            )
            rows.append((entity, [departments[d] for d in depts], [tags[tag]]))
    return rows


def _bank_branches(
    gen: _Generator, region: Region, departments: dict[str, Department], tags: dict[str, Tag]
) -> list[_EntityRow]:
    """The bank branches in the towns (financial premises: the police and the market)."""
    rows: list[_EntityRow] = []
    for index in range(_BANK_BRANCH_COUNT):
        bank = _BANKS[index % len(_BANKS)]
        town = _TOWNS[index % len(_TOWNS)]
        entity = _new_entity(
            gen,
            region,
            uscc=gen.uscc("1"),
            name=f"{bank}晋州{town}第{index // len(_TOWNS) + 1}支行（演示）",
            entity_type=EntityType.ENTERPRISE,
            enterprise_type_code="2190",
            industry_code="J6621",
        )
        rows.append((entity, [departments[GAJ], departments[SCJ]], [tags["financial-premises"]]))
    return rows


def _general_entities(
    gen: _Generator,
    region: Region,
    brands: Iterator[str],
    departments: dict[str, Department],
    tags: dict[str, Tag],
    count: int,
) -> list[_EntityRow]:
    """Companies, individual businesses and cooperatives of the market; the first ones
    carry an old registration number instead of a USCC."""
    rows: list[_EntityRow] = []
    for index in range(count):
        trade, industry, tag = gen.rng.choice(_GENERAL_TRADES)
        roll = gen.rng.random()
        legacy = index < _LEGACY_REG_NO_COUNT
        if roll < 0.55:
            kind, etype = "1", EntityType.ENTERPRISE
            name = f"晋州市{next(brands)}{trade}有限公司（演示）"
        elif roll < 0.92:
            kind, etype = "2", EntityType.INDIVIDUAL
            name = f"晋州市{gen.rng.choice(_TOWNS)}{gen.person()}{trade}店（演示）"
        else:
            kind, etype = "3", EntityType.COOPERATIVE
            name = f"晋州市{next(brands)}{trade}专业合作社（演示）"
        entity = _new_entity(
            gen,
            region,
            uscc=None if legacy else gen.uscc(kind),
            reg_no=f"{JINZHOU}600{index:06d}" if legacy else "",
            name=name,
            entity_type=etype,
            industry_code=industry,
            reg_status=RegStatus.CANCELLED if gen.rng.random() < 0.02 else RegStatus.ACTIVE,
        )
        rows.append((entity, [departments[SCJ]], [tags[tag]] if tag else []))
    return rows


def _load_entities(
    gen: _Generator,
    region: Region,
    departments: dict[str, Department],
    tags: dict[str, Tag],
) -> int:
    brands = _brand_names()
    rows = _special_entities(gen, region, brands, departments, tags)
    rows += _bank_branches(gen, region, departments, tags)
    rows += _general_entities(gen, region, brands, departments, tags, _TOTAL_ENTITIES - len(rows))
    return entity_bulk_create(actor=None, rows=rows)


def _load_inspectors(
    gen: _Generator,
    departments: dict[str, Department],
    specialities: dict[str, Speciality],
    item_types: dict[str, ItemType],
) -> list[Inspector]:
    rows: list[tuple[Inspector, list[Speciality], list[ItemType]]] = []
    dept_codes = {LEAD: "01", SCJ: "02", GAJ: "03"}
    for dept_name, dept_code in dept_codes.items():
        department = departments[dept_name]
        own_types = [t for code, _, d in _ITEM_TYPES if d == dept_name for t in [item_types[code]]]
        for index in range(_INSPECTORS_PER_DEPT):
            valid_from = dt.date(2022 + index % 4, 1 + index % 12, 1)
            valid_until = dt.date(valid_from.year + 5, valid_from.month, 1) - dt.timedelta(days=1)
            status = InspectorStatus.ON_DUTY
            if index == 20:
                status = InspectorStatus.LEAVE
            elif index == 21:
                status = InspectorStatus.SECONDED
            if index == 22:  # an expired certificate: stays in the directory, never drawn
                valid_from, valid_until = dt.date(2020, 7, 1), dt.date(2025, 6, 30)
            specs = gen.rng.sample(_SPECIALITY_BY_DEPT[dept_name], 2)
            inspector = Inspector(
                name=gen.person(),
                gender=gen.rng.choice([Gender.MALE, Gender.FEMALE]),
                id_masked=gen.masked_id(),
                phone=gen.phone(),
                department=department,
                unit=f"{department.short_name}执法{index % 3 + 1}科",
                post="科员" if index % 4 else "科长",
                category=InspectorCategory.CIVIL_SERVANT
                if index % 5
                else InspectorCategory.QUALIFIED,
                certificate_no=f"13{dept_code}0183{valid_from.year % 100:02d}{index + 1:04d}",
                certificate_authority="河北省人民政府",
                certificate_valid_from=valid_from,
                certificate_valid_until=valid_until,
                status=status,
                is_expert=index == 23,
                expert_field="地方金融风险"
                if dept_name == LEAD and index == 23
                else ("专业领域" if index == 23 else ""),
                expert_org="演示大学金融学院" if index == 23 else "",
            )
            rows.append(
                (
                    inspector,
                    [specialities[s] for s in specs],
                    gen.rng.sample(own_types, min(3, len(own_types))),
                )
            )
    inspector_bulk_create(actor=None, rows=rows)
    return [inspector for inspector, _, _ in rows]


def _load_users(departments: dict[str, Department], inspectors: list[Inspector]) -> None:
    first_inspector = {}
    for inspector in inspectors:
        first_inspector.setdefault(inspector.department.name, inspector)
    for login in DEMO_LOGINS:
        department = departments[login.department] if login.department else None
        inspector = (
            first_inspector.get(login.department or "")
            if access_records_for_inspecting(login)
            else None
        )
        user = user_create(
            actor=None,
            username=login.username,
            password=DEMO_PASSWORD,
            display_name=inspector.name if inspector else login.display_name,
            role=login.role,
            department=department,
        )
        if inspector is not None:
            Inspector.objects.filter(pk=inspector.pk).update(user=user)
