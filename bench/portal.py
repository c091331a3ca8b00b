"""Benchmark the public portal on PostgreSQL: enterprise look-up and notice lists.

    .venv/bin/python bench/portal.py --entities 10000000 --results 1000000

Creates a scratch database (``spotcheck_bench_portal`` by default) on the server of
``--server``, migrates it, and loads N entities and M published results with COPY
(fictitious Chinese names, codes in the 统一社会信用代码 alphabet; each result has its
own 一企一表 record).  It then starts a real server (``manage.py runserver``) on that
database and times, with a plain HTTP client, the look-up by name, by code, the
抽查结果公告 list (unfiltered, by department, by year, by result, a deep page) and the
open data JSON endpoint:

1. **baseline**: the portal's own indexes dropped (the trigram index on names, the
   partial indexes of the current publications) — what the pages cost without them;
2. **indexed**: the same indexes rebuilt from their definitions in the migrations.

Prints p50 / p95 per page and the ratio of the baseline p95 to the indexed p95.  The
goal is p95 < 100 ms for every page with the indexes.  Drops the database at the end
unless ``--keep``; ``--reuse`` skips the load when a kept database is already filled.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

CITIES = "晋州新乐辛集藁城鹿泉栾城正定行唐灵寿深泽赞皇无极平山元氏赵县井陉高邑"
BRAND = (
    "华鑫恒瑞丰泰盛达宏源金誉永兴嘉诚德隆祥和瑞通聚源凯旋鼎新博远天成中科润泽海川"
    "明辉锦程东方宇航新锐立信广安万家福满庆华同创正阳卓越思远安康宝利星光银河"
)
TRADE = "食品 商贸 科技 建材 机械 物流 农业 餐饮 医药 纺织 化工 服饰 电子 印刷 家具 汽修".split()
FORMS = ["有限公司", "有限责任公司", "商贸中心", "经营部", "农民专业合作社"]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RESULTS = [("1", "未发现问题")] * 7 + [
    ("A", "发现问题待后续处理（违反其他工商行政管理规定行为）"),
    ("E", "发现问题经责令已改正"),
    ("F", "未发现开展本次抽查涉及的经营活动"),
]
PORTAL_INDEXES = (
    "directory_entity_name_trgm",
    "pub_current_date",
    "pub_current_dept_date",
    "pub_current_result_date",
    "pub_entity",
)


def uscc(i: int) -> str:
    """A code in the right alphabet and length, unique per i (check digit not computed)."""
    body = []
    n = i
    for _ in range(9):
        body.append(USCC_CHARS[n % 31])
        n //= 31
    return "91130183" + "".join(reversed(body)) + "X"


def entity_name(i: int) -> str:
    """A fictitious name, the same every time for the same i (no shared random state)."""
    h = (i * 2654435761) % 4294967296
    city = CITIES[2 * (i % 16) : 2 * (i % 16) + 2]
    k = len(BRAND)
    brand = BRAND[h % k] + BRAND[(h >> 7) % k] + BRAND[(h >> 14) % k]
    trade, form = TRADE[(h >> 21) % 16], FORMS[(h >> 25) % 5]
    return f"{city}市{brand}{trade}{i % 997:03d}{form}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def django_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


SETUP = r"""
import datetime as dt, json
from decimal import Decimal
from spotcheck.accounts.models import Region
from spotcheck.accounts.services import department_create
from spotcheck.campaigns.models import AnnualPlan, Task
region = Region.objects.create(code="130183", name="晋州市", level="county")
names = ["晋州市市场监督管理局", "晋州市公安局", "晋州市应急管理局", "晋州市人民政府办公室"]
deps = [department_create(actor=None, name=n, short_name=n[3:], region=region) for n in names]
plan = AnnualPlan.objects.create(
    year=2026, name="2026年度联合抽查计划", number="晋州市政府办抽查计划〔2026〕1号",
    department=deps[3], state="published")
tasks = []
for i in range(1, 21):
    year = 2025 + i % 2
    tasks.append(Task.objects.create(
        plan=plan, number=f"晋州市政府办抽查〔{year}〕{i}号", name=f"第{i}次跨部门联合抽查",
        lead_department=deps[3], scope_region=region, ratio_a=Decimal(3), ratio_b=Decimal(3),
        ratio_c=Decimal(3), ratio_d=Decimal(3), window_start=dt.date(year, 3, 1),
        window_end=dt.date(year, 11, 30), state="publicised").pk)
print(json.dumps({"region": region.pk, "departments": [d.pk for d in deps], "tasks": tasks}))
"""


def manage(url: str, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=django_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def copy_rows(conn: psycopg.Connection[Any], sql: str, lines: Any, chunk: int = 20000) -> None:
    with conn.cursor() as cur, cur.copy(sql) as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % chunk == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def drop_secondary_indexes(conn: psycopg.Connection[Any], table: str) -> list[str]:
    """Drop a table's non-primary indexes and constraints; return SQL that restores them."""
    restore: list[str] = []
    rows = conn.execute(
        """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = %s::regclass AND c.contype = 'u'""",
        (table,),
    ).fetchall()
    for name, definition in rows:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    rows = conn.execute(
        """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
           AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')""",
        (table,),
    ).fetchall()
    for name, definition in rows:
        conn.execute(f'DROP INDEX "{name}"')
        restore.append(definition)
    return restore


def load(conn: psycopg.Connection[Any], ids: dict[str, Any], n: int, m: int, seed: int) -> None:
    rng = random.Random(seed)
    conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
    conn.execute("SET maintenance_work_mem = '1GB'")
    restore = []
    for table in ("directory_entity", "inspections_jointrecord", "publicity_resultpublication"):
        restore += drop_secondary_indexes(conn, table)
    region = ids["region"]
    t0 = time.perf_counter()

    def entities() -> Any:
        for i in range(1, n + 1):
            yield (
                f"{i}\t{uscc(i)}\t\t\t{entity_name(i)}\tenterprise\t\t张三\tresident_id\t\t\t"
                f"\t\t河北省晋州市测试路{i % 500}号\t{region}\t\t\t晋州市市场监督管理局\t\t\t\t"
                f"\\N\t\\N\tactive\t\t\t\\N\tf\tf\t2026-01-01 00:00:00+08\t2026-01-01 00:00:00+08\n"
            )

    copy_rows(
        conn,
        "COPY directory_entity (id, uscc, uscc_override_reason, reg_no, name, entity_type,"
        " enterprise_type_code, legal_rep_name, legal_rep_id_type, legal_rep_id_masked,"
        " legal_rep_phone, liaison_name, liaison_phone, address, region_id, business_address,"
        " reg_authority_code, reg_authority_name, jurisdiction_unit, industry_code, licences,"
        " established_on, reg_capital, reg_status, risk_class, risk_source, risk_as_of,"
        " on_abnormal_list, on_serious_illegal_list, created_at, updated_at) FROM STDIN",
        entities(),
    )
    log(f"COPY {n:,} entities: {time.perf_counter() - t0:.0f} s")
    stride = 7919 if n % 7919 else 7907
    tasks, deps = ids["tasks"], ids["departments"][:3]

    def entity_of(i: int) -> int:
        return (i * stride) % n + 1

    t0 = time.perf_counter()
    copy_rows(
        conn,
        "COPY inspections_jointrecord (id, task_id, entity_id, group_id, number, state,"
        " specialist_needed, merged_into_id, lead_confirmed_at, lead_confirmed_by_id,"
        " created_at, updated_at) FROM STDIN",
        (
            f"{i}\t{tasks[i % 20]}\t{entity_of(i)}\t\\N\tR{i:09d}\tapproved\t[]\t\\N\t\\N\t\\N"
            f"\t2026-01-01 00:00:00+08\t2026-01-01 00:00:00+08\n"
            for i in range(1, m + 1)
        ),
    )
    log(f"COPY {m:,} joint records: {time.perf_counter() - t0:.0f} s")

    def publications() -> Any:
        for i in range(1, m + 1):
            task = i % 20 + 1
            year = 2025 + task % 2
            day = f"{year}-{rng.randint(3, 11):02d}-{rng.randint(1, 28):02d}"
            code, text = rng.choice(RESULTS)
            dep = deps[i % 3]
            items = json.dumps(
                [
                    {
                        "id": i,
                        "code": "SJ-01",
                        "name": "一般合规性检查",
                        "codes": [code],
                        "result": text,
                    }
                ],
                ensure_ascii=False,
            )
            yield (
                f"{i}\t{i}\t{dep}\t{entity_of(i)}\t{tasks[i % 20]}\t1\tt\t\\N\t"
                f"晋州市政府办抽查计划〔2026〕1号\t2026年度联合抽查计划"
                f"\t晋州市政府办抽查〔{year}〕{task}号"
                f"\t第{task}次跨部门联合抽查\t定向抽查\t部门{dep}\t{entity_name(entity_of(i))}"
                f'\t{uscc(entity_of(i))}\t{day}\t{code}\t["{code}"]\t{text}\t\t{items}\t[]'
                f"\t\\N\t\\N\t\\N\t{day} 10:00:00+08\t\t\\N\n"
            )

    t0 = time.perf_counter()
    copy_rows(
        conn,
        "COPY publicity_resultpublication (id, record_id, department_id, entity_id, task_id,"
        " version, is_current, supersedes_id, plan_number, plan_name, task_number, task_name,"
        " task_type, authority, entity_name, entity_code, checked_on, result_key, result_codes,"
        " result_text, remarks, items, inspectors, entered_by_id, entered_at, published_by_id,"
        " published_at, correction_reason, due_date) FROM STDIN",
        publications(),
    )
    log(f"COPY {m:,} publications: {time.perf_counter() - t0:.0f} s")
    conn.execute("SET session_replication_role = DEFAULT")
    for table in ("directory_entity", "inspections_jointrecord", "publicity_resultpublication"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 - fixed names
            f" (SELECT max(id) FROM {table}))"
        )
    t0 = time.perf_counter()
    # the portal's own indexes are built after the baseline has been measured
    restore = [
        r for r in restore if not any(f'"{n}"' in r or f" {n} " in r for n in PORTAL_INDEXES)
    ]
    for statement in restore:
        conn.execute(statement)
    log(f"rebuilt {len(restore)} indexes and constraints: {time.perf_counter() - t0:.0f} s")
    conn.execute("VACUUM ANALYZE")


def portal_index_definitions(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """The CREATE INDEX statements of the portal's indexes, as the migrations made them."""
    definitions = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
        (list(PORTAL_INDEXES),),
    ).fetchall()
    if len(definitions) != len(PORTAL_INDEXES):
        raise SystemExit(f"expected the portal indexes {PORTAL_INDEXES}, found {definitions}")
    return [(name, definition) for name, definition in definitions]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:  # noqa: S310 - our own server
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - t0) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def pages(
    conn: psycopg.Connection[Any], ids: dict[str, Any], n: int, rng: random.Random
) -> dict[str, Any]:
    """Each page: a function that returns the next URL path to request."""
    sample = conn.execute(
        "SELECT uscc, name FROM directory_entity WHERE id = ANY(%s)",
        ([rng.randint(1, n) for _ in range(200)],),
    ).fetchall()

    def by_name() -> str:
        name = rng.choice(sample)[1]
        start = name.index("市") + 1
        return "/public/lookup/?" + urllib.parse.urlencode({"q": name[start : start + 7]})

    def by_code() -> str:
        return "/public/lookup/?" + urllib.parse.urlencode({"q": rng.choice(sample)[0]})

    dep = ids["departments"][0]
    return {
        "look-up by name": by_name,
        "look-up by code": by_code,
        "results list": lambda: "/public/results/",
        "results by department": lambda: f"/public/results/?department={dep}",
        "results by year": lambda: "/public/results/?year=2025",
        "results by result": lambda: "/public/results/?result=A",
        "results page 50": lambda: "/public/results/?year=2026&page=50",
        "open data JSON": lambda: f"/public/api/results/?year=2026&after={rng.randint(0, 1000)}",
    }


def measure(base: str, page_urls: dict[str, Any], requests: int) -> dict[str, tuple[float, float]]:
    figures = {}
    for name, next_url in page_urls.items():
        fetch(base + next_url())  # warm the connection and the plan cache
        times = [fetch(base + next_url()) for _ in range(requests)]
        figures[name] = (statistics.median(times), percentile(times, 95))
        log(f"  {name:24s} p50 {figures[name][0]:8.1f} ms   p95 {figures[name][1]:8.1f} ms")
    return figures


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=django_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            fetch(base + "/public/open-data/")
            return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=10_000_000)
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per page, indexed")
    parser.add_argument(
        "--baseline-requests", type=int, default=10, help="requests per page, baseline"
    )
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="spotcheck_bench_portal")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.results > args.entities:
        parser.error("--results must not exceed --entities (one result per record and entity)")
    url = f"{args.server}/{args.db}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)
        ).fetchone()
        if exists and not args.reuse:
            admin.execute(f'DROP DATABASE "{args.db}" WITH (FORCE)')
        if not exists or not args.reuse:
            admin.execute(f'CREATE DATABASE "{args.db}"')
    with psycopg.connect(url, autocommit=True) as conn:
        filled = conn.execute("SELECT to_regclass('directory_entity') IS NOT NULL").fetchone()[
            0
        ] and (conn.execute("SELECT count(*) FROM directory_entity").fetchone()[0] == args.entities)
        if filled and args.reuse:
            ids = json.loads(
                conn.execute("SELECT current_setting('spotcheck.bench_ids')").fetchone()[0]
            )
            log(f"reusing {args.db}")
        else:
            t0 = time.perf_counter()
            manage(url, "migrate", "--noinput")
            definitions = portal_index_definitions(conn)
            ids = json.loads(manage(url, "shell", "-c", SETUP).strip().splitlines()[-1])
            conn.execute(
                f"ALTER DATABASE \"{args.db}\" SET spotcheck.bench_ids = '{json.dumps(ids)}'"
            )
            log(f"migrated: {time.perf_counter() - t0:.0f} s")
            t0 = time.perf_counter()
            load(conn, ids, args.entities, args.results, args.seed)
            took = time.perf_counter() - t0
            log(f"loaded {args.entities:,} entities and {args.results:,} results in {took:.0f} s")
        if args.reuse and filled:
            definitions = portal_index_definitions(conn)
        rng = random.Random(args.seed)
        page_urls = pages(conn, ids, args.entities, rng)

        for name, _ in definitions:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        conn.execute("ANALYZE")
        process, base = start_server(url)
        try:
            log(f"baseline (portal indexes dropped), {args.baseline_requests} requests per page")
            baseline = measure(base, page_urls, args.baseline_requests)
            log("rebuilding the portal indexes")
            for name, definition in definitions:
                t0 = time.perf_counter()
                conn.execute(definition)
                size = conn.execute(
                    "SELECT pg_size_pretty(pg_relation_size(%s::regclass))", (name,)
                ).fetchone()[0]
                log(f"  {name}: {time.perf_counter() - t0:.0f} s, {size}")
            conn.execute("ANALYZE")
            log(f"indexed, {args.requests} requests per page")
            indexed = measure(base, page_urls, args.requests)
        finally:
            process.terminate()
            process.wait(timeout=30)

    print()
    print(f"{args.entities:,} entities, {args.results:,} published results, PostgreSQL")
    heads = ("baseline p50", "baseline p95", "p50", "p95", "ratio p95")
    print(f"{'page':24s} " + " ".join(f"{h:>13s}" for h in heads))
    for name in page_urls:
        b50, b95 = baseline[name]
        i50, i95 = indexed[name]
        cells = [f"{v:.1f} ms" for v in (b50, b95, i50, i95)] + [f"{b95 / i95:.1f}x"]
        print(f"{name:24s} " + " ".join(f"{c:>13s}" for c in cells))
    worst = max(p95 for _, p95 in indexed.values())
    verdict = "met" if worst < 100 else "NOT met"
    print(f"worst p95 with indexes: {worst:.1f} ms (goal < 100 ms): {verdict}")
    if not args.keep:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
