"""Prepare the deadline-week load test on a database that holds the demo scenario.

    DATABASE_URL=… .venv/bin/python bench/load_week_setup.py --records 300 --out var/load/plan.json

A county's week looks like this: many groups of three inspectors (政府办, 市场监管局,
公安局), each with a dozen joint records to finish. On top of the field-work practice
task (``load_field_demo``: its first group is the three demo inspectors), this adds one
group per further trio of 在岗 inspectors with a valid certificate, gives each of them a
login (the demo password), and spreads ``--records`` more records over the groups, each
with every department's item. It writes the plan the locust scenario reads: for each
(record, item), the login that enters it, and the code of 未发现问题.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from spotcheck.accounts.choices import Role
    from spotcheck.accounts.services import user_create
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.demo.field import load_field_demo
    from spotcheck.demo.scenario import DEMO_PASSWORD, GAJ, LEAD, SCJ
    from spotcheck.directory.choices import EntityType, InspectorStatus
    from spotcheck.directory.models import Entity, Inspector
    from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem

    today = timezone.localdate()
    with transaction.atomic():
        first = load_field_demo(today=today)
        task = first[0].task
        items = {i.department.name: i for i in first[0].items.select_related("department")}
        pools = {
            name: list(
                Inspector.objects.filter(
                    department__name=name,
                    status=InspectorStatus.ON_DUTY,
                    certificate_valid_until__gte=today,
                    user__isnull=True,
                ).order_by("certificate_no")
            )
            for name in (LEAD, SCJ, GAJ)
        }
        groups = []
        for number, trio in enumerate(zip(*pools.values(), strict=False), start=2):
            group = InspectionGroup.objects.create(task=task, number=number)
            for lead, inspector in zip((True, False, False), trio, strict=True):
                user = user_create(
                    actor=None,
                    username=f"load_{inspector.certificate_no}".lower(),
                    password=DEMO_PASSWORD,
                    display_name=inspector.name,
                    role=Role.INSPECTOR,
                    department=inspector.department,
                )
                Inspector.objects.filter(pk=inspector.pk).update(user=user)
                GroupMember.objects.create(
                    group=group,
                    inspector=inspector,
                    department=inspector.department,
                    is_leader=lead,
                )
            groups.append(group)
        region = task.lead_department.region
        entities = list(
            Entity.objects.filter(entity_type=EntityType.ENTERPRISE, region=region)
            .exclude(joint_records__isnull=False)
            .order_by("pk")[: args.records]
        )
        for n, entity in enumerate(entities):
            record = JointRecord.objects.create(
                task=task,
                entity=entity,
                group=groups[n % len(groups)],
                number=f"{task.number}-{n + len(first) + 1:04d}",
                planned_on=today,
            )
            for item in items.values():
                RecordItem.objects.create(record=record, department=item.department, item=item.item)

    logins = {
        (m.group_id, m.department_id): m.inspector.user.username
        for m in GroupMember.objects.filter(group__task=task).select_related("inspector__user")
        if m.inspector.user is not None
    }
    by_record: dict[int, list[dict[str, object]]] = {}
    for i in (
        RecordItem.objects.filter(record__task=task, record__group__in=groups)
        .select_related("record")
        .order_by("record_id", "department_id")
    ):
        by_record.setdefault(i.record_id, []).append(
            {"pk": i.record_id, "item": i.pk, "login": logins[(i.record.group_id, i.department_id)]}
        )
    # the scenario hands the rows out in order: every record once (each by another of its
    # departments in turn) before any record a second time
    plan = [
        rows[(n + shift) % len(rows)]
        for shift in range(len(items))
        for n, rows in enumerate(by_record.values())
    ]
    code = ResultCode.objects.get(label="未发现问题").code
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"no_problem": code, "records": plan}, ensure_ascii=False), encoding="utf-8"
    )
    print(f"{len(groups) + 1} groups, {len(entities) + len(first)} records, {len(plan)} entries")


if __name__ == "__main__":
    main()
