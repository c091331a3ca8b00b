"""Attacks the platform must withstand: XSS, SQL injection, path traversal, IDOR, oversize
requests, cross-site requests, inline script, weak cookies, endless sessions, floods.

Who may see what is proven URL by URL in ``test_access_matrix.py``; the IDOR tests here
try every record type directly, as the attacker would, with the record's real id.  The
CSP is checked page by page in ``test_content_security_policy.py``.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.audit.models import AuditEvent
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Avoidance, Entity, Inspector
from spotcheck.directory.tests.factories import AvoidanceFactory, EntityFactory
from spotcheck.imports.models import ImportJob
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = '<script>alert("xss")</script>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"
IMG = "<img src=x onerror=alert(1)>"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"


def _as(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _with_token(user: User) -> Client:
    _token, key = api_token_issue(actor=None, user=user, name="安全测试")
    return Client(headers={"Authorization": f"Token {key}"})


# --- XSS -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_script_in_a_chinese_entity_name_is_shown_as_text(
    dept_admin: User, departments: Departments
) -> None:
    # given
    entity = EntityFactory(
        name=f"晋州市{SCRIPT}食品有限公司", supervising_departments=[departments.market]
    )
    client = _as(dept_admin)

    # when
    pages = [
        client.get(reverse("directory:entity_detail", args=[entity.pk])),
        client.get(reverse("directory:entity_list"), {"q": "食品"}),
        client.get(reverse("directory:entity_edit", args=[entity.pk])),
    ]

    # then
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert SCRIPT not in body
        assert ESCAPED_SCRIPT in body


@pytest.mark.django_db
def test_markup_in_an_avoidance_note_is_shown_as_text(
    dept_admin: User, inspector_record: Inspector, catalogue: Catalogue
) -> None:
    # given
    AvoidanceFactory(
        inspector=inspector_record,
        entity=catalogue.jia,
        declared_by=dept_admin,
        reason=f"其配偶在该企业任职{IMG}",
    )

    # when
    page = _as(dept_admin).get(reverse("directory:inspector_detail", args=[inspector_record.pk]))

    # then
    body = page.content.decode()
    assert IMG not in body
    assert ESCAPED_IMG in body


@pytest.mark.django_db
def test_markup_in_an_audit_entry_is_shown_as_text(auditor: User) -> None:
    # given
    from django.db import transaction

    with transaction.atomic():
        event = audit_record(actor=None, event_type="test.xss", data={"备注": IMG, "名称": SCRIPT})

    # when
    page = _as(auditor).get(reverse("audit:event_detail", args=[event.seq]))

    # then
    body = page.content.decode()
    assert IMG not in body
    assert SCRIPT not in body
    assert ESCAPED_IMG in body


@pytest.mark.django_db
def test_script_in_a_task_name_is_text_on_the_public_pages(
    departments: Departments, regions: Regions, lead_admin: User, client: Client
) -> None:
    # given
    task = make_task(
        departments,
        regions,
        lead_admin,
        [(departments.lead_office, [make_item(departments.lead_office, "ZF-XSS-1")])],
        state=TaskState.PUBLISHED,
    )
    Task.objects.filter(pk=task.pk).update(name=f"第十次{SCRIPT}联合抽查")

    # when
    pages = [
        client.get(reverse("publicity:tasks")),
        client.get(reverse("publicity:task_detail", args=[task.pk])),
    ]

    # then
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert SCRIPT not in body
        assert ESCAPED_SCRIPT in body


# --- SQL injection ---------------------------------------------------------------------

INJECTIONS = ["' OR '1'='1", "甲'; DROP TABLE directory_entity; --", "%' OR 1=1 --", '" OR ""="']


@pytest.mark.django_db
@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_in_the_entity_search_finds_nothing_and_breaks_nothing(
    payload: str, platform_admin: User, catalogue: Catalogue
) -> None:
    # given
    count = Entity.objects.count()

    # when
    page = _as(platform_admin).get(reverse("directory:entity_list"), {"q": payload})

    # then
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
    assert Entity.objects.count() == count == 4


@pytest.mark.django_db
@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_in_the_inspector_search_and_the_audit_filter_finds_nothing(
    payload: str, platform_admin: User, inspector_record: Inspector
) -> None:
    # given
    client = _as(platform_admin)

    # when
    inspectors = client.get(reverse("directory:inspector_list"), {"q": payload})
    audit = client.get(reverse("audit:event_list"), {"actor": payload, "target_id": payload})

    # then
    assert inspectors.status_code == 200
    assert inspectors.context["page"].paginator.count == 0
    assert audit.status_code == 200
    assert audit.context["page"].paginator.count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ["' OR 1=1--", "1' OR '1"])
def test_sql_in_an_api_filter_finds_nothing(
    payload: str, platform_admin: User, catalogue: Catalogue
) -> None:
    # given / when
    response = _with_token(platform_admin).get(reverse("api:entity_list"), {"uscc": payload})

    # then
    assert response.status_code == 200
    assert response.json()["count"] == 0


# --- path traversal ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/directory/import/template/..%2F..%2Fconfig%2Fsettings%2Fbase.xlsx", 404),
        ("/directory/import/template/..%5C..%5Cmanage.xlsx", 404),
        ("/directory/import/template/%2e%2e%2f%2e%2e%2fetc%2fpasswd.xlsx", 404),
        ("/directory/import/template/entities%00.xlsx", 400),  # a NUL is refused outright
        ("/directory/import/1/errors.csv/../../../../etc/passwd", 404),
        ("/maintenance/../../etc/passwd", 404),
    ],
)
def test_a_traversal_in_a_download_path_is_refused(
    path: str, status: int, platform_admin: User
) -> None:
    # given / when
    response = _as(platform_admin).get(path)

    # then
    assert response.status_code == status
    assert b"root:" not in response.content


@pytest.mark.django_db
def test_the_errors_file_of_someone_elses_import_is_404(
    dept_admin: User, other_dept_admin: User
) -> None:
    # given
    from django.core.files.base import ContentFile

    job = ImportJob.objects.create(kind="entities", original_name="名录.csv", created_by=dept_admin)
    job.errors_file.save("errors.csv", ContentFile("行号,错误\n2,名称缺失\n".encode()))

    # when
    theirs = _as(other_dept_admin).get(reverse("directory:import_job_errors", args=[job.pk]))
    mine = _as(dept_admin).get(reverse("directory:import_job_errors", args=[job.pk]))

    # then
    assert theirs.status_code == 404
    assert mine.status_code == 200


# --- IDOR: every record type, with its real id, as someone outside its scope --------------


@pytest.fixture
def records(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    catalogue: Catalogue,
) -> dict[str, Any]:
    """One record of each kind belonging to 晋州市市场监督管理局 (the market department)."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    item = make_item(departments.market, "SC-IDOR-1")
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [make_item(departments.lead_office, "ZF-IDOR-1")]),
            (departments.market, [item]),
        ],
        state=TaskState.PUBLISHED,
    )
    record = make_record(task, catalogue.jia, make_group(task, [inspector_record]), [item])
    job = ImportJob.objects.create(kind="entities", original_name="名录.csv", created_by=dept_admin)
    job.errors_file.save("errors.csv", ContentFile(b"\xef\xbb\xbf"))
    avoidance = AvoidanceFactory(
        inspector=inspector_record, entity=catalogue.yi, declared_by=dept_admin
    )
    with transaction.atomic():
        event = audit_record(actor=dept_admin, event_type="test.idor", target=catalogue.jia)
    return {
        "entity": catalogue.jia,
        "inspector": inspector_record,
        "avoidance": avoidance,
        "import": job,
        "task": task,
        "record": record,
        "audit": event,
    }


UI_RECORD_URLS: dict[str, Callable[[dict[str, Any]], str]] = {
    "entity detail": lambda r: reverse("directory:entity_detail", args=[r["entity"].pk]),
    "entity edit": lambda r: reverse("directory:entity_edit", args=[r["entity"].pk]),
    "inspector detail": lambda r: reverse("directory:inspector_detail", args=[r["inspector"].pk]),
    "inspector edit": lambda r: reverse("directory:inspector_edit", args=[r["inspector"].pk]),
    "import job": lambda r: reverse("directory:import_job", args=[r["import"].pk]),
    "import errors": lambda r: reverse("directory:import_job_errors", args=[r["import"].pk]),
    "task detail": lambda r: reverse("campaigns:task_detail", args=[r["task"].pk]),
    "task edit": lambda r: reverse("campaigns:task_edit", args=[r["task"].pk]),
    "draw page": lambda r: reverse("draws:draw_page", args=[r["task"].pk]),
    "drawn objects": lambda r: reverse("draws:objects", args=[r["task"].pk]),
    "audit entry": lambda r: reverse("audit:event_detail", args=[r["audit"].seq]),
}
API_RECORD_URLS: dict[str, Callable[[dict[str, Any]], str]] = {
    "entity": lambda r: reverse("api:entity_detail", args=[r["entity"].pk]),
    "inspector": lambda r: reverse("api:inspector_detail", args=[r["inspector"].pk]),
    "task": lambda r: reverse("api:task_detail", args=[r["task"].pk]),
    "task draws": lambda r: reverse("api:task_draws", args=[r["task"].pk]),
    "joint record": lambda r: reverse("api:record_detail", args=[r["record"].pk]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(UI_RECORD_URLS))
def test_another_departments_admin_gets_404_for_every_record_page(
    kind: str, records: dict[str, Any], other_dept_admin: User, dept_admin: User
) -> None:
    # given
    url = UI_RECORD_URLS[kind](records)

    # when
    theirs = _as(other_dept_admin).get(url)

    # then
    assert theirs.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(API_RECORD_URLS))
def test_another_departments_inspector_gets_404_for_every_api_record(
    kind: str, records: dict[str, Any], other_inspector_user: User, inspector_user: User
) -> None:
    # given
    url = API_RECORD_URLS[kind](records)

    # when
    response = _with_token(other_inspector_user).get(url)

    # then
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


@pytest.mark.django_db
def test_removing_someone_elses_avoidance_by_id_is_404_and_removes_nothing(
    records: dict[str, Any], other_dept_admin: User
) -> None:
    # given
    avoidance: Avoidance = records["avoidance"]
    audit_before = AuditEvent.objects.count()

    # when
    response = _as(other_dept_admin).post(
        reverse("directory:avoidance_remove", args=[avoidance.inspector_id, avoidance.pk]),
        {"reason": "越权删除"},
    )

    # then
    assert response.status_code == 404
    assert Avoidance.objects.filter(pk=avoidance.pk).exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_another_avoidance_id_under_ones_own_inspector_is_404(
    records: dict[str, Any],
    dept_admin: User,
    platform_admin: User,
    other_inspector_record: Inspector,
) -> None:
    # given: the police inspector's avoidance, addressed under the market inspector's URL
    theirs = AvoidanceFactory(
        inspector=other_inspector_record, entity=records["entity"], declared_by=platform_admin
    )

    # when
    response = _as(dept_admin).post(
        reverse("directory:avoidance_remove", args=[records["inspector"].pk, theirs.pk]),
        {"reason": "换个编号试试"},
    )

    # then
    assert response.status_code == 404
    assert Avoidance.objects.filter(pk=theirs.pk).exists()


# --- oversize requests ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversize_form_post_is_400_and_writes_nothing(
    dept_admin: User, inspector_record: Inspector, catalogue: Catalogue, settings: Any
) -> None:
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    audit_before = AuditEvent.objects.count()

    # when
    response = _as(dept_admin).post(
        reverse("directory:avoidance_add", args=[inspector_record.pk]),
        {"entity_code": catalogue.jia.uscc, "reason_type": "other", "reason": "长" * 200_000},
    )

    # then
    assert response.status_code == 400
    assert Avoidance.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_an_oversize_api_body_is_400_and_writes_nothing(
    dept_admin: User, departments: Departments, settings: Any
) -> None:
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps({"entities": [{"uscc": "9" * 18, "name": "长" * 200_000}]})
    count = Entity.objects.count()

    # when
    response = _with_token(dept_admin).post(
        reverse("api:entity_sync"), body, content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert Entity.objects.count() == count


@pytest.mark.django_db
def test_more_rows_than_one_sync_may_carry_is_400(dept_admin: User) -> None:
    # given
    rows = [{"uscc": f"{n:018d}"} for n in range(501)]

    # when
    response = _with_token(dept_admin).post(
        reverse("api:entity_sync"), json.dumps({"entities": rows}), content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert list(response.json()["entities"]) == ["non_field_errors"]


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cross_site_form_post_without_the_token_is_refused(
    dept_admin: User, inspector_record: Inspector, catalogue: Catalogue
) -> None:
    # given
    client = _as(dept_admin, enforce_csrf_checks=True)
    audit_before = AuditEvent.objects.count()

    # when
    response = client.post(
        reverse("directory:avoidance_add", args=[inspector_record.pk]),
        {"entity_code": catalogue.jia.uscc, "reason_type": "other", "reason": "跨站提交"},
    )

    # then
    assert response.status_code == 403
    assert Avoidance.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_an_api_write_with_a_session_but_no_csrf_token_is_refused(
    dept_admin: User, catalogue: Catalogue
) -> None:
    # given
    client = _as(dept_admin, enforce_csrf_checks=True)
    body = {"entities": [{"uscc": catalogue.jia.uscc, "name": "被跨站改名"}]}

    # when
    response = client.post(
        reverse("api:entity_sync"), json.dumps(body), content_type="application/json"
    )

    # then
    assert response.status_code == 403
    catalogue.jia.refresh_from_db()
    assert catalogue.jia.name != "被跨站改名"


def _python_sources() -> Iterator[Path]:
    for path in (ROOT / "spotcheck").rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path
    yield from (ROOT / "config").rglob("*.py")


def test_no_view_is_exempt_from_csrf() -> None:
    # given / when
    exempt = [
        str(path.relative_to(ROOT))
        for path in _python_sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Name | ast.Attribute)
        and getattr(node, "id", getattr(node, "attr", "")) == "csrf_exempt"
    ]

    # then
    assert exempt == []


# --- cookies and sessions -------------------------------------------------------------------


def test_production_cookies_are_secure_httponly_and_samesite() -> None:
    # given
    env = {
        **os.environ,
        "SPOTCHECK_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "production-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "spotcheck.example.gov.cn",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("SECURE_COOKIES", None)
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE',"
        "'SESSION_COOKIE_NAME','CSRF_COOKIE_SECURE','CSRF_COOKIE_SAMESITE','CSRF_COOKIE_NAME',"
        "'SECURE_HSTS_SECONDS','SESSION_EXPIRE_AT_BROWSER_CLOSE','SESSION_COOKIE_AGE',"
        "'X_FRAME_OPTIONS','SECURE_CONTENT_TYPE_NOSNIFF']}))"
    )

    # when
    out = subprocess.run(  # noqa: S603 -- our own interpreter, fixed code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )

    # then
    assert json.loads(out.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_AGE": 28800,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


@pytest.mark.django_db
def test_the_session_cookie_is_httponly_and_samesite(client: Client, dept_admin: User) -> None:
    # given
    from spotcheck.testing.personas import PASSWORD

    # when
    client.post(reverse("accounts:login"), {"username": "market_admin", "password": PASSWORD})

    # then
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # ends with the browser


@pytest.mark.django_db
def test_a_login_expires_eight_hours_after_sign_in(dept_admin: User) -> None:
    # given
    start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        client.force_login(dept_admin, backend=LOGIN_BACKEND)

    # when
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=59), tick=False):
        still_in = client.get(reverse("common:home"))
    with time_machine.travel(start + dt.timedelta(hours=8, seconds=1), tick=False):
        expired = client.get(reverse("common:home"))

    # then
    assert still_in.status_code == 200
    assert expired.status_code == 302
    assert expired["Location"].startswith("/accounts/login/")


# --- rate limit on the public look-up --------------------------------------------------------


@pytest.fixture
def low_limit(settings: Any) -> Iterator[None]:
    settings.PUBLIC_RATE_LIMIT = 3
    settings.PUBLIC_RATE_WINDOW_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_public_look_up_answers_429_beyond_the_limit(low_limit: None, client: Client) -> None:
    # given
    url = reverse("publicity:items")

    # when
    with time_machine.travel(dt.datetime(2026, 3, 2, 1, 0, 10, tzinfo=dt.UTC), tick=False):
        statuses = [client.get(url, {"q": "食品"}).status_code for _ in range(4)]
        refused = client.get(url)

    # then
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert "访问过于频繁" in refused.content.decode()


@pytest.mark.django_db
def test_the_limit_is_per_client_address_and_resets_with_the_window(
    low_limit: None, client: Client
) -> None:
    # given
    url = reverse("publicity:plans")
    start = dt.datetime(2026, 3, 2, 1, 0, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            client.get(url)

    # when
    with time_machine.travel(start, tick=False):
        same = client.get(url).status_code
        other = client.get(url, REMOTE_ADDR="10.1.2.3").status_code
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        next_window = client.get(url).status_code

    # then
    assert (same, other, next_window) == (429, 200, 200)


@pytest.mark.django_db
def test_signed_in_officials_and_staff_pages_are_not_limited(
    low_limit: None, dept_admin: User
) -> None:
    # given
    client = _as(dept_admin)

    # when
    statuses = {client.get(reverse("publicity:items")).status_code for _ in range(5)}

    # then
    assert statuses == {200}


@pytest.mark.django_db
def test_the_public_api_answers_429_in_json(low_limit: None, client: Client) -> None:
    # given
    url = reverse("api:public_task_list")

    # when
    with time_machine.travel(dt.datetime(2026, 3, 2, 1, 0, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(3):
            client.get(url)
        refused = client.get(url)

    # then
    assert refused.status_code == 429
    assert refused.json() == {"detail": "访问过于频繁，请 60 秒后再试。"}


@pytest.mark.django_db
def test_the_portal_stays_up_when_the_cache_is_down(low_limit: None, client: Client) -> None:
    # given
    broken = mock.patch.object(cache, "add", side_effect=ConnectionError("redis down"))

    # when
    with broken:
        statuses = {client.get(reverse("publicity:items")).status_code for _ in range(5)}

    # then
    assert statuses == {200}
