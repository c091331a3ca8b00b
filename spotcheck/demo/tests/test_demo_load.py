from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import Department, User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import InspectionItem
from spotcheck.core.uscc import validate_uscc
from spotcheck.demo.scenario import SEED_TASK_NUMBER, load_demo
from spotcheck.directory.models import Entity, Inspector

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> object:
    """Load the scenario once for this module; it is removed with the test database."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        from django.db import transaction

        with transaction.atomic():
            sid = transaction.savepoint()
            load_demo(today=dt.date(2026, 2, 20))
            yield
            transaction.savepoint_rollback(sid)


def test_three_departments_of_the_plan_under_shijiazhuang_and_hebei(demo: object) -> None:
    jinzhou = Department.objects.filter(region__code="130183").order_by("name")

    assert [d.name for d in jinzhou] == [
        "晋州市人民政府办公室",
        "晋州市公安局",
        "晋州市市场监督管理局",
    ]
    for department in jinzhou:
        assert department.parent.region.code == "130100"
        assert department.parent.parent.region.code == "130000"


def test_at_least_twenty_inspectors_per_department_with_certificates(demo: object) -> None:
    counts = dict(
        Inspector.objects.filter(department__region__code="130183")
        .values_list("department__name")
        .annotate(n=Count("pk"))
    )

    assert min(counts.values()) >= 20
    assert len(counts) == 3
    assert not Inspector.objects.filter(certificate_no="").exists()
    assert Inspector.objects.filter(specialities__isnull=True).count() == 0


def test_directory_is_large_synthetic_and_valid(demo: object) -> None:
    entities = Entity.objects.all()

    assert entities.count() >= 2000
    assert not entities.exclude(name__contains="（演示）").exists()
    bad = [e.uscc for e in entities.exclude(uscc=None) if not validate_uscc(e.uscc).ok]
    assert bad == []
    assert set(entities.values_list("region__code", flat=True)) == {"130183"}


def test_microcredit_and_pawnshops_cover_every_risk_class(demo: object) -> None:
    financial = Entity.objects.filter(tags__code__in=["microcredit", "pawnshop"]).distinct()

    assert financial.count() >= 60
    assert set(financial.values_list("risk_class", flat=True)) == {"A", "B", "C", "D"}


def test_every_role_has_a_demo_login(demo: object) -> None:
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    inspector = User.objects.get(username="scj_inspector")
    assert inspector.inspector.department.name == "晋州市市场监督管理局"


def test_seed_task_and_every_item_of_the_plan(demo: object) -> None:
    task = Task.objects.get(number=SEED_TASK_NUMBER)

    assert task.state == TaskState.PUBLISHED
    assert (task.window_start, task.window_end) == (dt.date(2026, 3, 1), dt.date(2026, 7, 30))
    assert InspectionItem.objects.count() == 13
    assert task.participants.count() == 3


def test_demo_refuses_to_load_twice(demo: object) -> None:
    with pytest.raises(CommandError, match="演示场景只能载入空数据库"):
        call_command("demo_load", stdout=io.StringIO())


def test_skip_flag_exits_quietly_when_loaded(demo: object) -> None:
    out = io.StringIO()
    call_command("demo_load", "--skip-if-loaded", stdout=out)

    assert out.getvalue().strip() == "数据库已有数据，跳过演示场景载入。"


def test_demo_phone_numbers_are_stored_in_full_like_real_ones(demo: object) -> None:
    # given the loaded demo (docs/access.md: numbers are stored in full, shown masked)
    phones = [
        *Entity.objects.values_list("legal_rep_phone", flat=True),
        *Entity.objects.exclude(liaison_phone="").values_list("liaison_phone", flat=True),
        *Inspector.objects.values_list("phone", flat=True),
    ]
    # when they are read / then every one is an 11-digit mobile number a phone can dial
    malformed = [p for p in phones if not (len(p) == 11 and p.isdigit() and p[0] == "1")]
    assert (len(phones) > 0, malformed) == (True, [])
