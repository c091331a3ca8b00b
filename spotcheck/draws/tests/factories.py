"""Build a published task that is ready to draw, and walk it through the draw's steps.

``make_task_to_draw`` is behind the suite-wide ``task`` fixture (``spotcheck/conftest.py``);
the draws' own fixtures (``confirmed``, ``grouping``, ``claimed``, ``dispatched``) are in
``spotcheck/draws/tests/conftest.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from spotcheck.accounts.models import Department, User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import plan_create, task_create, task_transition
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.core import taskflow
from spotcheck.core.draw import new_secret
from spotcheck.core.uscc import build_uscc
from spotcheck.directory.services import entity_create, inspector_create
from spotcheck.draws.ceremony import draw_announce, draw_commit, draw_prepare, draw_reveal, draw_run
from spotcheck.draws.dispatch import department_confirm, draw_dispatch, drawn_object_replace
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.testing.personas import Departments, Regions

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 2026-03-02, 10:00 in 晋州
LEAD = "晋州市人民政府办公室"
MARKET = "晋州市市场监督管理局"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_task_to_draw(departments: Departments, regions: Regions, lead_admin: User) -> Task:
    """A published joint task of the 牵头单位 and the market department, with 40 entities
    to draw from and four inspectors of each department."""
    items = {
        department.pk: _item_with_inspectors(department, code)
        for department, code in ((departments.lead_office, "JR-01"), (departments.market, "SJ-01"))
    }
    _entities_of_both(departments, regions)
    plan = plan_create(
        actor=lead_admin,
        year=2026,
        name="计划",
        number="计划〔2026〕1号",
        department=departments.lead_office,
    )
    created = task_create(
        actor=lead_admin,
        values={
            "plan": plan,
            "number": "晋州市政府办抽查〔2026〕10号",
            "name": "第十次联合抽查",
            "lead_department": departments.lead_office,
            "scope_region": regions.county,
            "ratio_a": Decimal("10"),
            "ratio_b": Decimal("10"),
            "ratio_c": Decimal("10"),
            "ratio_d": Decimal("20"),
            "floor_ratio": Decimal("3"),
            "window_start": dt.date(2026, 3, 1),
            "window_end": dt.date(2026, 7, 30),
        },
        participants=[
            (departments.lead_office, [items[departments.lead_office.pk]]),
            (departments.market, [items[departments.market.pk]]),
        ],
    )
    # the publish step itself (spotcheck.workflow.task_steps) is tested there; the draw
    # and follow-up must not know each other, so this factory moves the task directly
    return task_transition(
        actor=lead_admin, task=created, to=TaskState.PUBLISHED, step=taskflow.PUBLISH
    )


def _item_with_inspectors(department: Department, code: str) -> InspectionItem:
    """One inspection item of ``department`` and four inspectors qualified for its type."""
    item = make_item(department, code)
    for n in range(4):
        inspector_create(
            actor=None,
            values={
                "name": f"检查员{code}{n}",
                "department": department,
                "category": "civil_servant",
                "certificate_no": f"{code}-{n:03d}",
                "certificate_authority": "河北省人民政府",
                "certificate_valid_from": dt.date(2024, 1, 1),
                "certificate_valid_until": dt.date(2029, 12, 31),
            },
            item_types=[item.item_type],
        )
    return item


def _entities_of_both(departments: Departments, regions: Regions) -> None:
    """Forty 晋州市 enterprises under both departments, ten of each risk class."""
    for n in range(40):
        entity_create(
            actor=None,
            values={
                "uscc": build_uscc(
                    "9", "1", "130183", f"MA0{_ALPHABET[n // 31]}{_ALPHABET[n % 31]}XYW"
                ),
                "name": f"晋州市测试{n}有限公司",
                "entity_type": "enterprise",
                "legal_rep_name": "张三",
                "address": "晋州市",
                "region": regions.county,
                "reg_authority_name": "晋州市市场监督管理局",
                "risk_class": "ABCD"[n % 4],
                "risk_source": "samr_general",
                "risk_as_of": dt.date(2026, 1, 31),
            },
            supervising_departments=[departments.lead_office, departments.market],
        )


def announced(task: Task, lead_admin: User, dept_admin: User) -> tuple[DrawAttempt, bytes, bytes]:
    """Prepare the draw, commit both officials' secrets and announce it: (attempt, s1, s2)."""
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])
    s1, s2 = new_secret(), new_secret()
    draw_commit(actor=lead_admin, attempt=attempt, secret=s1)
    draw_commit(actor=dept_admin, attempt=attempt, secret=s2)
    return draw_announce(actor=lead_admin, attempt=attempt), s1, s2


def drawn(task: Task, lead_admin: User, dept_admin: User) -> DrawAttempt:
    """Announce the draw, reveal both secrets and run it."""
    attempt, s1, s2 = announced(task, lead_admin, dept_admin)
    draw_reveal(actor=lead_admin, attempt=attempt, secret=s1)
    draw_reveal(actor=dept_admin, attempt=attempt, secret=s2)
    return draw_run(actor=lead_admin, attempt=attempt)


def confirm_all(subject: Task, lead_admin: User, dept_admin: User, *, replace: bool = True) -> Task:
    """Dispatch the drawn task and have both departments confirm their objects; with
    ``replace``, the market department first withdraws the first object (已注销)."""
    draw_dispatch(actor=lead_admin, task=subject)
    if replace:
        obj = DrawnObject.objects.order_by("id").first()
        assert obj is not None
        drawn_object_replace(
            actor=dept_admin,
            obj=obj,
            reason="cancelled",
            note="已注销",
            expected_state="pending",
        )
    department_confirm(actor=dept_admin, task=subject)
    department_confirm(actor=lead_admin, task=subject)
    subject.refresh_from_db()
    return subject
