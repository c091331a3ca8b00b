"""Benchmark the directory importer on PostgreSQL against a per-row ORM save() loop.

    .venv/bin/python bench/directory_import.py --rows 1000000 --baseline 2000

Creates a scratch database (``spotcheck_bench`` by default) on the PostgreSQL server of
``--server``, migrates it, loads a few regions, departments and tags, writes N synthetic
entities to a CSV file (valid 统一社会信用代码, fictitious Chinese names, every risk
class), imports them through ``spotcheck.imports`` and then imports a smaller sample
through a per-row ``full_clean()`` + ``save()`` loop. Each import runs in its own child
process so that its peak RSS is its own. Prints rows/s of both, the ratio and the peak
memory; drops the database at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTIES = [
    ("130102", "长安区"),
    ("130104", "桥西区"),
    ("130105", "新华区"),
    ("130181", "辛集市"),
    ("130183", "晋州市"),
    ("130184", "新乐市"),
]
DEPARTMENTS = [
    "石家庄市市场监督管理局",
    "晋州市市场监督管理局",
    "晋州市公安局",
    "辛集市市场监督管理局",
]
TAGS = [
    ("food-producer", "食品生产企业"),
    ("security-service", "保安服务公司"),
    ("loan", "小额贷款公司"),
]
BRAND = "华鑫恒瑞丰泰盛达宏源金誉永兴嘉诚德隆祥和瑞通聚源凯旋鼎新博远天成中科润泽海川"
TRADE = [
    "食品",
    "商贸",
    "科技",
    "建材",
    "机械",
    "物流",
    "农业",
    "餐饮",
    "医药",
    "纺织",
    "化工",
    "服饰",
]
FORMS = [
    ("有限公司", "企业"),
    ("有限责任公司", "企业"),
    ("商店", "个体工商户"),
    ("农民专业合作社", "农民专业合作社"),
]
RISK = ["A", "B", "B", "C", "D", ""]
HEADER = [
    "统一社会信用代码", "名称", "主体类型", "法定代表人（负责人）", "住所", "行政区划代码",
    "登记机关", "国民经济行业代码", "分类标签", "成立日期", "登记状态", "信用风险分类",
    "分类来源", "分类日期", "经营异常名录", "严重违法失信名单", "监管部门",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _admin_execute(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _reference_data() -> None:
    from spotcheck.accounts.choices import RegionLevel
    from spotcheck.accounts.models import Region
    from spotcheck.accounts.services import department_create
    from spotcheck.directory.models import Tag

    province = Region.objects.create(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(
        code="130100", name="石家庄市", level=RegionLevel.CITY, parent=province
    )
    for code, name in COUNTIES:
        Region.objects.create(code=code, name=name, level=RegionLevel.COUNTY, parent=city)
    parent = None
    for name in DEPARTMENTS:
        department = department_create(
            actor=None, name=name, short_name=name[:8], region=city, parent=parent
        )
        parent = parent or department
    for code, name in TAGS:
        Tag.objects.create(code=code, name=name)


def _row(n: int, rng: random.Random) -> list[str]:
    from spotcheck.core.uscc import build_uscc

    region, county = COUNTIES[n % len(COUNTIES)]
    suffix, entity_type = FORMS[rng.randrange(len(FORMS))]
    kind = "2" if entity_type == "个体工商户" else "1"
    code = build_uscc("9", kind, region, f"{n:08d}")
    name = f"{county}{rng.choice(BRAND)}{rng.choice(BRAND)}{rng.choice(TRADE)}{suffix}"
    risk = RISK[n % len(RISK)]
    departments = DEPARTMENTS[1] if n % 5 else f"{DEPARTMENTS[1]}；{DEPARTMENTS[2]}"
    return [
        code,
        name,
        entity_type,
        rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        f"河北省石家庄市{county}建设路{n % 997 + 1}号",
        region,
        f"{county}市场监督管理局",
        f"C{13 + n % 30:02d}{n % 10}",
        TAGS[n % 3][1] if n % 4 == 0 else "",
        f"{2000 + n % 25}-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "存续（在业）",
        risk,
        "市场监管总局通用型企业信用风险分类" if risk else "",
        "2025-01-10" if risk else "",
        "是" if n % 50 == 0 else "否",
        "否",
        departments,
    ]


def _write_csv(path: Path, start: int, count: int) -> None:
    rng = random.Random(start)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(start, start + count):
            writer.writerow(_row(n, rng))


def _backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend of this process's connection has used so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server runs on another machine
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _import_child(path: str, queue: Any, usual: bool = False) -> None:
    from spotcheck.imports import engine
    from spotcheck.imports.engine import ImportOptions
    from spotcheck.imports.services import directory_import

    if usual:  # stage the whole file, then write it
        engine.FIRST_LOAD_MIN_BYTES = 1 << 62

    backend_before = _backend_cpu()
    started = time.perf_counter()
    with open(path, "rb") as stream:
        report = directory_import(
            actor=None, stream=stream, name="bench.csv", options=ImportOptions(kind="entities")
        )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cpu = (
        _cpu(resource.RUSAGE_SELF),
        _cpu(resource.RUSAGE_CHILDREN),
        _backend_cpu() - backend_before,
    )
    way = "first load, written while read" if report.first_load else "staged, then written"
    queue.put(
        (seconds, report.created, report.rejected, report.fatal, cpu, way, workers_peak, peak)
    )


def _baseline_child(path: str, queue: Any) -> None:
    """Import row by row the way a naive importer would: full_clean() and save() per row."""
    from django.db import transaction

    from spotcheck.accounts.models import Department, Region
    from spotcheck.directory.models import Entity, EntityRiskHistory, Tag

    regions = {r.code: r for r in Region.objects.all()}
    departments = {d.name: d for d in Department.objects.all()}
    tags = {t.name: t for t in Tag.objects.all()}
    types = {"企业": "enterprise", "个体工商户": "individual", "农民专业合作社": "cooperative"}
    started = time.perf_counter()
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            with transaction.atomic():
                entity = Entity(
                    uscc=row["统一社会信用代码"],
                    name=row["名称"],
                    entity_type=types[row["主体类型"]],
                    legal_rep_name=row["法定代表人（负责人）"],
                    address=row["住所"],
                    region=regions[row["行政区划代码"]],
                    reg_authority_name=row["登记机关"],
                    industry_code=row["国民经济行业代码"],
                    established_on=row["成立日期"],
                    risk_class=row["信用风险分类"],
                    risk_source="samr_general" if row["信用风险分类"] else "",
                    risk_as_of=row["分类日期"] or None,
                    on_abnormal_list=row["经营异常名录"] == "是",
                )
                entity.full_clean()
                entity.save()
                entity.supervising_departments.set(
                    [departments[n] for n in row["监管部门"].split("；")]
                )
                if row["分类标签"]:
                    entity.tags.set([tags[row["分类标签"]]])
                if entity.risk_class:
                    EntityRiskHistory.objects.create(
                        entity=entity,
                        new_class=entity.risk_class,
                        source=entity.risk_source,
                        as_of=entity.risk_as_of,
                    )
            count += 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((time.perf_counter() - started, count, 0, "", None, 0.0, peak))


def _run_child(target: Any, path: Path, *extra: Any) -> tuple[tuple[Any, ...], float]:
    """Run ``target`` in a forked child; return its result and its own peak RSS in MiB."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=target, args=(str(path), queue, *extra))
    process.start()
    *result, peak = queue.get()
    process.join()
    if process.exitcode:
        raise SystemExit(f"child failed with exit code {process.exitcode}")
    return tuple(result), peak


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="spotcheck_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--usual",
        action="store_true",
        help="stage the whole file before writing it, as into a directory that is not empty",
    )
    args = parser.parse_args()

    _admin_execute(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')
    _admin_execute(args.server, f'CREATE DATABASE "{args.database}"')
    try:
        _setup_django(f"{args.server}/{args.database}")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _reference_data()
        with tempfile.TemporaryDirectory() as tmp:
            big, small = Path(tmp) / "bench.csv", Path(tmp) / "baseline.csv"
            started = time.perf_counter()
            _write_csv(big, 0, args.rows)
            _write_csv(small, args.rows, args.baseline)
            print(
                f"generated {args.rows:,} rows ({big.stat().st_size / 2**20:.0f} MiB CSV)"
                f" in {time.perf_counter() - started:.1f} s"
            )
            print(f"load average before the import: {_load()}")
            result, peak = _run_child(_import_child, big, args.usual)
            seconds, created, rejected, fatal, (own, workers, backend), way, workers_peak = result
            if fatal or rejected or created != args.rows:
                raise SystemExit(f"import failed: created={created} rejected={rejected} {fatal}")
            rate = args.rows / seconds
            print(
                f"importer ({way}): {args.rows:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s,"
                f" peak RSS {peak:.0f} MiB (each worker process at most {workers_peak:.0f} MiB)"
            )
            print(
                f"  CPU: importing process {own:.1f} s, worker processes {workers:.1f} s,"
                f" PostgreSQL backend {backend:.1f} s; total {own + workers + backend:.1f} s"
                f" for {seconds:.1f} s wall on {os.cpu_count()} cores"
            )
            print(f"load average after the import: {_load()}")
            (b_seconds, b_count, _, _, _, _), b_peak = _run_child(_baseline_child, small)
            b_rate = b_count / b_seconds
            print(
                f"baseline (per-row full_clean + save): {b_count:,} rows in {b_seconds:.1f} s"
                f" = {b_rate:,.0f} rows/s, peak RSS {b_peak:.0f} MiB"
            )
            print(f"ratio: {rate / b_rate:.1f}x")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin_execute(args.server, f'DROP DATABASE IF EXISTS "{args.database}"')


if __name__ == "__main__":
    main()
