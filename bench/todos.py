"""Benchmark the 工作台 with its to-do list against a plain list of the same rows.

    .venv/bin/python bench/todos.py --records 10000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_todos

Creates the scratch database named in ``--database-url`` (``DATABASE_URL`` otherwise;
dropped first if it exists, dropped at the end unless ``--keep``), migrates it and builds
one joint task in 检查中 with N open joint records (一企一表) of 晋州市市场监督管理局 with
their entities: a fifth of them sent for review and waiting for the department's review,
every record with its 20-working-day publication deadline (a tenth of them overdue),
and 50 follow-up cases transferred to the department. Then, for the department's
administrator, it times with Django's test client (in process: the server time):

- the home page (工作台): the to-do list, the menu count and the directory figures;
- the baseline: the same open records read by a simple selector
  (``joint_record_list_for_user``) and rendered as a bare list, through the same
  middleware;

``--runs`` requests each after a warm-up, and prints the medians, their ratio and the
queries of one home page.  The goal: the home page under 200 ms at 10,000 open records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_todos"


def _fresh_database(url: str) -> None:
    """Drop and create the database of ``url`` (never one of the server's own)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use {name!r} as a scratch database")
    server = url[: -len(parts.path)] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    parts = urlsplit(url)
    server = url[: -len(parts.path)] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(n: int) -> Any:
    """The department, its admin, the task and the N open records (see the module)."""
    from django.db import transaction

    from spotcheck.accounts.tests.factories import UserFactory
    from spotcheck.campaigns.choices import TaskState
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.testing.personas import make_departments, make_regions

    with transaction.atomic():
        regions = make_regions()
        deps = make_departments(regions)
        lead = UserFactory(username="bench-lead", role="lead_admin", department=deps.lead_office)
        admin = UserFactory(username="bench-admin", role="dept_admin", department=deps.market)
        items = [make_item(deps.lead_office, "JR-01"), make_item(deps.market, "SJ-01")]
        task = make_task(
            deps,
            regions,
            lead,
            [(deps.lead_office, [items[0]]), (deps.market, [items[1]])],
            state=TaskState.CHECKING,
        )
        _records(task, items[1], deps.market, n)
    return admin


def _records(task: Any, item: Any, market: Any, n: int) -> None:
    from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
    from spotcheck.deadlines.models import Deadline
    from spotcheck.directory.models import Entity
    from spotcheck.directory.tests.factories import EntityFactory
    from spotcheck.followup.choices import CaseState
    from spotcheck.followup.models import Case
    from spotcheck.inspections.choices import RecordState
    from spotcheck.inspections.models import JointRecord, RecordItem

    template = EntityFactory()
    fields = [f for f in Entity._meta.concrete_fields if not f.primary_key]
    entities = []
    for i in range(n):
        e = Entity(**{f.attname: getattr(template, f.attname) for f in fields})
        e.uscc, e.reg_no, e.name = None, f"130183{i:09d}", f"晋州市测试{i:05d}有限公司"
        entities.append(e)
    Entity.objects.bulk_create(entities, batch_size=2000)
    entities = list(Entity.objects.filter(reg_no__startswith="130183").order_by("reg_no"))
    records = JointRecord.objects.bulk_create(
        [
            JointRecord(
                task=task,
                entity=e,
                number=f"{task.number}-{i:05d}",
                state=RecordState.SUBMITTED if i % 5 == 0 else RecordState.ENTERED,
                review_round=1 if i % 5 == 0 else 0,
            )
            for i, e in enumerate(entities)
        ],
        batch_size=2000,
    )
    rows = RecordItem.objects.bulk_create(
        [RecordItem(record=r, department=market, item=item) for r in records], batch_size=2000
    )
    start = dt.date(2026, 5, 6)
    Deadline.objects.bulk_create(
        [
            Deadline(
                kind=DeadlineKind.ENTER_RESULTS,
                title=f"公示抽查结果：{r.entity.name}（{r.number}）",
                department=market,
                target_type="inspections.jointrecord",
                target_id=str(r.pk),
                target_url=f"/publicity/results/record/{r.pk}/",
                start_event="检查完成",
                start_date=start,
                working_days=20,
                due_date=dt.date(2026, 5, 1) if i % 10 == 0 else dt.date(2027, 6, 4),
                state=DeadlineState.OVERDUE if i % 10 == 0 else DeadlineState.OPEN,
            )
            for i, r in enumerate(records)
        ],
        batch_size=2000,
    )
    Case.objects.bulk_create(
        [
            Case(
                number=f"{r.number}-1",
                task=task,
                record=r,
                record_item=row,
                entity=r.entity,
                item=item,
                found_on=start,
                origin_department=market,
                department=market,
                transfer_to=market,
                holders=[market.pk],
                state=CaseState.TRANSFERRING,
            )
            for r, row in list(zip(records, rows, strict=True))[1:500:10]
        ]
    )


def _plain_list(request: Any) -> Any:
    """The baseline: the same open records, read by a simple selector, in a bare list."""
    from django.http import HttpResponse
    from django.template import engines

    from spotcheck.inspections.selectors.records import joint_record_list_for_user

    rows = joint_record_list_for_user(request.user).exclude(state="approved")
    template = engines["django"].from_string(
        '<ul>{% for r in rows %}<li><a href="/field/records/{{ r.pk }}/">'
        "{{ r.number }} {{ r.entity.name }}</a></li>{% endfor %}</ul>"
    )
    return HttpResponse(template.render({"rows": rows}, request))


def _with_baseline_url() -> None:
    """Serve the baseline at /bench/plain/ beside the platform's own URLs."""
    from django.conf import settings
    from django.urls import clear_url_caches, path

    from config import urls

    module = sys.modules[__name__]
    module.urlpatterns = [path("bench/plain/", _plain_list), *urls.urlpatterns]  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = module
    clear_url_caches()


def _median_ms(client: Any, url: str, runs: int) -> float:
    client.get(url)  # warm-up: connections, templates, the calendar
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must name a PostgreSQL database")
    _fresh_database(args.database_url)
    _setup(args.database_url)
    try:
        _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(args.database_url)


def _run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    start = time.perf_counter()
    admin = _build(args.records)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {args.records} open records in {time.perf_counter() - start:.1f} s")
    _with_baseline_url()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    queries: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - begun) * 1000, sql))

    client.get("/workbench/")
    with connection.execute_wrapper(timed):
        html = client.get("/workbench/").content.decode()
    if os.environ.get("BENCH_QUERIES"):
        for ms, sql in sorted(queries, reverse=True)[:8]:
            print(f"{ms:8.1f} ms  {sql[:300]}")
    items = html.count('data-testid="todo"')
    t_home = _median_ms(client, "/workbench/", args.runs)
    t_plain = _median_ms(client, "/bench/plain/", args.runs)
    print(
        f"PostgreSQL, {args.records} open records, {args.runs} runs each; "
        f"home page: {items} to-do lines, {len(queries)} queries "
        f"({sum(ms for ms, _ in queries):.0f} ms in the database)"
    )
    print(f"home page (工作台): median {t_home:.1f} ms")
    print(f"plain list of the same open records: median {t_plain:.1f} ms")
    print(f"ratio home / plain list: {t_home / t_plain:.2f}x")
    print(f"goal < 200 ms: {'met' if t_home < 200 else 'NOT met'}")


if __name__ == "__main__":
    main()
