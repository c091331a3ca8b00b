"""Benchmark the statistics page's figures against a plain read of the rows behind them.

    .venv/bin/python bench/stats_figures.py --records 3000 [--database-url postgres://…]

Builds a scratch database (a temporary SQLite file unless ``--database-url`` names a
PostgreSQL database, which is flushed), one joint task with N joint records of three
departments' items (every record has a market and a police item, every third one a
lead-office item too), a result on each item, a follow-up case for every tenth record,
and then times

- the six figures of the statistics page (``all_figures``), best of 3;
- the baseline: reading the same item rows, their result codes, the cases and their
  deadlines as plain value lists, best of 3;

and prints both and their ratio (how much the figures cost over just reading the data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not database_url.startswith("sqlite"):
        call_command("flush", verbosity=0, interactive=False)
        import importlib

        from django.apps import apps

        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)


def _build(n: int) -> Any:
    from django.utils import timezone

    from spotcheck.accounts.tests.factories import UserFactory
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.directory.models import Entity
    from spotcheck.directory.tests.factories import EntityFactory
    from spotcheck.followup.services import cases_open_for_record
    from spotcheck.inspections.models import JointRecord, RecordItem
    from spotcheck.testing.personas import make_departments, make_regions

    regions = make_regions()
    deps = make_departments(regions)
    lead = UserFactory(username="bench-lead", role="lead_admin", department=deps.lead_office)
    items = {
        "lead": make_item(deps.lead_office, "JR-01"),
        "market": make_item(deps.market, "SJ-01"),
        "police": make_item(deps.police, "GA-01"),
    }
    task = make_task(
        deps,
        regions,
        lead,
        [(getattr(deps, k if k != "lead" else "lead_office"), [v]) for k, v in items.items()],
    )
    template = EntityFactory()
    entities = []
    for i in range(n):
        e = Entity(
            **{
                f.attname: getattr(template, f.attname)
                for f in Entity._meta.concrete_fields
                if not f.primary_key
            }
        )
        e.uscc = None
        e.reg_no = f"130183{i:09d}"
        e.name = f"晋州市测试{i:05d}有限公司"
        entities.append(e)
    Entity.objects.bulk_create(entities, batch_size=1000)
    entities = list(Entity.objects.filter(reg_no__startswith="130183").order_by("reg_no"))
    records = JointRecord.objects.bulk_create(
        [
            JointRecord(task=task, entity=e, number=f"{task.number}-{i:05d}")
            for i, e in enumerate(entities)
        ],
        batch_size=1000,
    )
    now = timezone.now()
    rows = []
    for i, record in enumerate(records):
        keys = ["market", "police"] + (["lead"] if i % 3 == 0 else [])
        for key in keys:
            rows.append(
                RecordItem(
                    record=record,
                    department=items[key].department,
                    item=items[key],
                    entered_at=now,
                )
            )
    RecordItem.objects.bulk_create(rows, batch_size=2000)
    codes = {c.code: c for c in ResultCode.objects.all()}
    through = RecordItem.result_codes.through
    links = []
    with_problem = {r.pk for r in records[::10]}
    for row in RecordItem.objects.filter(record__task=task).order_by("pk"):
        chosen = (
            ["A", "2", "B"]
            if row.record_id in with_problem and row.department_id == deps.market.pk
            else ["1"]
        )
        links += [through(recorditem_id=row.pk, resultcode_id=codes[c].pk) for c in chosen]
    through.objects.bulk_create(links, batch_size=5000)
    for record in records[::10]:
        cases_open_for_record(actor=lead, record=record)
    return task


def _best(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="spotcheck-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    _setup(url)

    from spotcheck.deadlines.models import Deadline
    from spotcheck.followup.models import Case
    from spotcheck.inspections.models import RecordItem
    from spotcheck.stats.selectors import all_figures, build_filter

    start = time.perf_counter()
    task = _build(args.records)
    print(f"built {args.records} records in {time.perf_counter() - start:.1f} s")
    stats_filter = build_filter(scope=None)
    today = dt.date(2026, 6, 10)

    def figures() -> None:
        all_figures(stats_filter, today=today, year=2026)

    def baseline() -> None:
        list(
            RecordItem.objects.filter(record__task=task).values_list(
                "department_id", "item_id", "entered_at"
            )
        )
        list(RecordItem.result_codes.through.objects.values_list("recorditem_id", "resultcode_id"))
        list(Case.objects.values_list("pk", "state", "department_id", "deadline_id"))
        list(Deadline.objects.values_list("pk", "state", "due_date"))

    items = RecordItem.objects.count()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = str(Path(scratch) / "stats.prof")
        cProfile.runctx("figures()", globals(), {"figures": figures}, profile)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    t_figures = _best(figures)
    t_base = _best(baseline)
    print(
        f"database: {url.split(':', 1)[0]}, records {args.records}, "
        f"item rows {items}, cases {Case.objects.count()}"
    )
    print(
        f"six figures: {t_figures * 1000:.0f} ms; "
        f"plain read of the same rows: {t_base * 1000:.0f} ms"
    )
    print(f"ratio figures / plain read: {t_figures / t_base:.1f}x")


if __name__ == "__main__":
    main()
