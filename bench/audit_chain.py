"""Benchmark the hash-chained audit trail: `python bench/audit_chain.py [--n 2000] [--threads 8]`.

Needs ``DATABASE_URL`` pointing at a scratch PostgreSQL database (it is migrated and its
audit table grows).  Times, in the same run:

  (a) N appends through ``audit_record()`` (advisory lock, tail read, SM3, insert), each in
      its own transaction, from one thread and from T threads at once;
  (b) the baseline: N plain inserts of the same rows without the chain, one transaction each;
  (c) ``audit_verify`` over the whole table.

Prints appends per second and the ratio chained/plain.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from spotcheck.audit.models import AuditEvent  # noqa: E402
from spotcheck.audit.services import audit_record  # noqa: E402

DATA = {
    "changes": {
        "risk_class": ["A", "C"],
        "name": ["晋州市甲食品有限公司", "晋州市甲食品（集团）有限公司"],
    }
}


def chained(count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            audit_record(actor=None, event_type="bench.chained", data={**DATA, "n": n})
    connections.close_all()


def plain(count: int) -> None:
    # the same columns, no lock, no tail read, no hash: what the table cost before the chain
    with connection.cursor() as cursor:
        for n in range(count):
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO bench_plain_audit (created_at, event_type, data)"
                    " VALUES (%s, %s, %s)",
                    [timezone.now(), "bench.plain", f'{{"n": {n}}}'],
                )


def timed(label: str, work, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    work(*args)
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed:8.2f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/audit_chain.py needs DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_audit")
        cursor.execute(
            "CREATE TABLE bench_plain_audit (id bigserial primary key,"
            " created_at timestamptz, event_type varchar(80), data jsonb)"
        )
    n, t = args.n, args.threads
    base = timed(f"(b) {n} plain inserts, 1 thread", plain, n)
    serial = timed(f"(a) {n} chained appends, 1 thread", chained, n)
    per = n // t
    threads = [threading.Thread(target=chained, args=(per,)) for _ in range(t)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    parallel = time.perf_counter() - start
    print(f"{f'(a) {per * t} chained appends, {t} threads':<44} {parallel:8.2f} s")
    total = AuditEvent.objects.count()
    verify = timed(f"(c) audit_verify over {total} entries", call_command, "audit_verify")
    print()
    print(f"chained, 1 thread : {n / serial:8.0f} appends/s")
    print(f"chained, {t} threads: {per * t / parallel:8.0f} appends/s")
    print(f"plain inserts     : {n / base:8.0f} inserts/s")
    print(f"ratio chained/plain (1 thread): {serial / base:.2f}×")
    print(f"verify            : {total / verify:8.0f} entries/s")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain_audit")


if __name__ == "__main__":
    main()
