"""What each page of the deadline-week scenario costs: SQL queries and server time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spotcheck_load \
        .venv/bin/python bench/page_costs.py [--repeat 7]

Run it on the database ``bench/load_week.sh`` prepared (the demo scenario and the practice
task with its records). Every page of ``bench/locust_deadline_week.py`` is requested in
process through Django's test client, signed in as the user the scenario uses, ``--repeat``
times; the table gives the queries of one request and the median and slowest time, slowest
page first. The submission is a real, audited save of a record's entries (a new
submission id each time), so it runs on a database meant for load tests only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from spotcheck.accounts.models import User
    from spotcheck.campaigns.models import Task
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.demo.field import FIELD_TASK_NUMBER
    from spotcheck.inspections.models import RecordItem

    item = (
        RecordItem.objects.filter(record__task__number=FIELD_TASK_NUMBER)
        .select_related("record", "department")
        .order_by("-record_id")
        .first()
    )
    if item is None:
        sys.exit("run bench/load_week.sh first: no practice task on this database")
    member = item.record.group.members.select_related("inspector__user").get(
        department=item.department
    )
    inspector = member.inspector.user
    record = item.record.pk
    task = Task.objects.order_by("pk").first()
    code = ResultCode.objects.get(label="未发现问题").code

    def submission() -> dict[str, Any]:
        return {
            "submission_id": str(uuid.uuid4()),
            "items": [{"id": item.pk, "codes": [code], "findings": "未发现问题", "notes": ""}],
        }

    pages: list[tuple[str, str, str, str]] = [
        ("inspector", inspector.username, "现场检查列表", "/field/"),
        ("inspector", inspector.username, "记录表概览", f"/field/records/{record}/"),
        ("inspector", inspector.username, "记录表录入页", f"/field/records/{record}/fill/"),
        (
            "inspector",
            inspector.username,
            "提交检查结果（记录表）",
            f"POST /field/records/{record}/sync/",
        ),
        ("inspector", inspector.username, "我的待办", "/deadlines/"),
        ("admin", "scj_admin", "抽查任务", "/tasks/"),
        ("admin", "scj_admin", "任务详情", f"/tasks/{task.pk}/" if task else "/tasks/"),
        ("admin", "scj_admin", "抽取名单", f"/tasks/{task.pk}/objects/" if task else "/tasks/"),
        ("admin", "scj_admin", "部门待办", "/inbox/"),
        ("admin", "scj_admin", "检查对象名录库（筛选）", "/directory/entities/?risk_class=B"),
        ("admin", "scj_admin", "工作台", "/workbench/"),
        ("public", "", "公示首页", "/"),
        ("public", "", "抽查事项清单公示", "/public/items/"),
        ("public", "", "抽查任务公告", "/public/tasks/"),
        ("public", "", "抽查计划公告", "/public/plans/"),
        ("public", "", "抽查结果公告", "/public/results/"),
        ("public", "", "api: 公示任务", "/api/v1/public/tasks/"),
    ]
    rows = []
    for role, username, name, url in pages:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        times, queries, status = [], 0, 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if url.startswith("POST "):
                    response = client.post(
                        url[5:], json.dumps(submission()), content_type="application/json"
                    )
                else:
                    response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries, status = len(captured.captured_queries), response.status_code
        rows.append((statistics.median(times), max(times), queries, status, role, name, url))
    rows.sort(reverse=True)
    print(f"{'median ms':>9} {'max ms':>7} {'queries':>7} {'status':>6}  role       page")
    for median, slowest, queries, status, role, name, url in rows:
        print(f"{median:9.1f} {slowest:7.1f} {queries:7d} {status:6d}  {role:<10} {name} {url}")


if __name__ == "__main__":
    main()
