"""Benchmark the printed 一企一表: `python bench/record_pdf.py [--n 20] [--items 12]`.

Builds one joint record (three departments, ``--items`` items with four sub-items each,
a group of three) in an in-memory SQLite database, then times, in the same run:

  (a) the record page's HTML (the template alone, the baseline);
  (b) the A4 PDF of the same record through spotcheck.common.pdf.render_pdf (WeasyPrint,
      Noto CJK subset and embedded);

and prints the PDF's size and page count, and the ratio (b)/(a).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _setup(items_per_department: int):  # noqa: ANN202 - returns the record
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.models import SubItem
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.directory.tests.factories import EntityFactory, InspectorFactory
    from spotcheck.inspections.tests.factories import make_group, make_record
    from spotcheck.testing.personas import make_departments, make_regions, make_user

    regions = make_regions()
    departments = make_departments(regions)
    lead_admin = make_user("lead_admin", departments)
    per_department = []
    for department, prefix in (
        (departments.lead_office, "JR"),
        (departments.market, "SJ"),
        (departments.police, "GA"),
    ):
        items = []
        for n in range(items_per_department):
            item = make_item(
                department,
                f"{prefix}-{n:02d}",
                name=f"抽查事项{prefix}{n:02d}经营业务类检查",
                legal_basis="《河北省地方金融监督管理条例》第二十条、第二十一条",
            )
            SubItem.objects.filter(item=item).delete()
            SubItem.objects.bulk_create(
                [
                    SubItem(item=item, order=i, content=f"检查内容第{i}条：是否符合规定")
                    for i in range(1, 5)
                ]
            )
            items.append(item)
        per_department.append((department, items))
    task = make_task(departments, regions, lead_admin, per_department)
    people = [
        InspectorFactory(name=name, department=d, certificate_no=f"JZ{n:06d}")
        for n, (name, d) in enumerate(
            [
                ("杨帆", departments.lead_office),
                ("张明", departments.market),
                ("刘洋", departments.police),
            ]
        )
    ]
    group = make_group(task, people)
    entity = EntityFactory(
        name="晋州市德润商贸有限公司", supervising_departments=[departments.market]
    )
    return make_record(task, entity, group, [i for _, items in per_department for i in items])


def _time(fn, n: int) -> float:  # noqa: ANN001
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--items", type=int, default=4, help="items per department")
    args = parser.parse_args()
    record = _setup(args.items)

    from django.template.loader import render_to_string
    from pypdf import PdfReader

    from spotcheck.common.pdf import render_pdf
    from spotcheck.inspections.selectors.sheet import record_sheet

    context = record_sheet(record)
    render_pdf("inspections/record_pdf.html", context)  # warm fonts and caches
    html = _time(lambda: render_to_string("inspections/record_pdf.html", context), args.n)
    pdf_time = _time(lambda: render_pdf("inspections/record_pdf.html", context), args.n)
    pdf = render_pdf("inspections/record_pdf.html", context)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"items: {3 * args.items}, runs: {args.n} (median)")
    print(f"(a) HTML only: {html * 1000:.1f} ms")
    print(f"(b) A4 PDF:    {pdf_time * 1000:.1f} ms, {len(pdf) / 1024:.0f} KiB, {pages} pages")
    print(f"ratio (b)/(a): {pdf_time / html:.0f}x")


if __name__ == "__main__":
    main()
