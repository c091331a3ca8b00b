"""The figures of the statistics pages, each as a table with the data of its chart.

Every figure is computed from the records themselves (draws, deadlines, joint records,
cases), scoped to the user: the lead office, the platform admin and the auditor see
every department, a department admin its own subtree.  Inspectors have no statistics.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from spotcheck.access.gates import access_stats_for_reading
from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.selectors import department_subtree, readable_department_ids
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import ResultCode
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.draws.choices import AttemptStatus, ObjectState
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.followup.choices import CaseState, StepKind
from spotcheck.followup.models import Case
from spotcheck.inspections.models import JointRecord, RecordItem

RISK_LABELS = {"A": "A类", "B": "B类", "C": "C类", "D": "D类", "U": "未分类"}


@dataclass(frozen=True)
class StatsFilter:
    """What the user asked for; ``department_ids`` is already cut to the user's scope."""

    year: int | None = None
    task_id: int | None = None
    department_ids: frozenset[int] | None = None  # None: every department
    region_ids: frozenset[int] | None = None  # None: every region


@dataclass
class Figure:
    """One chart and the table behind it (the XLSX export writes the table)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    categories: list[str] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "bar"  # bar | stacked
    unit: str = ""
    note: str = ""

    def chart(self) -> dict[str, Any]:
        """The data the browser's chart script (and the PDF's SVG) draws."""
        return {
            "title": self.title,
            "kind": self.kind,
            "unit": self.unit,
            "categories": self.categories,
            "series": self.series,
        }

    @property
    def script_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def labelled_rows(self) -> list[list[tuple[str, Any]]]:
        """Each row's cells with their column names (a phone shows a row as a card)."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


# ---------------------------------------------------------------- scope and filters


def stats_scope_for_user(user: User) -> frozenset[int] | None:
    """Return the departments whose figures the user may see (None: all), or 404."""
    if not access_stats_for_reading(user):
        raise Http404
    return readable_department_ids(user)


def stats_departments_for_user(user: User) -> QuerySet[Department]:
    ids = stats_scope_for_user(user)
    qs = Department.objects.order_by("path")
    return qs if ids is None else qs.filter(pk__in=ids)


def stats_tasks_for_user(user: User) -> QuerySet[Task]:
    ids = stats_scope_for_user(user)
    qs = Task.objects.select_related("plan").order_by("-window_start", "number")
    if ids is not None:
        qs = qs.filter(participants__department__in=ids).distinct()
    return qs


def region_subtree_ids(region: Region) -> frozenset[int]:
    """Return the region and every region below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, todo = {region.pk}, [region.pk]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def build_filter(
    *,
    scope: frozenset[int] | None,
    year: int | None = None,
    task_id: int | None = None,
    department: Department | None = None,
    region: Region | None = None,
) -> StatsFilter:
    """Combine the user's scope with the chosen department (its subtree)."""
    ids = scope
    if department is not None:
        chosen = frozenset(department_subtree(department).values_list("pk", flat=True))
        ids = chosen if scope is None else chosen & scope
    return StatsFilter(
        year=year,
        task_id=task_id,
        department_ids=ids,
        region_ids=region_subtree_ids(region) if region is not None else None,
    )


def _tasks(f: StatsFilter) -> QuerySet[Task]:
    qs = Task.objects.all()
    if f.year is not None:
        qs = qs.filter(plan__year=f.year)
    if f.task_id is not None:
        qs = qs.filter(pk=f.task_id)
    if f.department_ids is not None:
        qs = qs.filter(participants__department__in=f.department_ids).distinct()
    return qs.order_by("window_start", "number")


def _records(f: StatsFilter) -> QuerySet[JointRecord]:
    qs = JointRecord.objects.filter(task__in=_tasks(f))
    if f.department_ids is not None:
        qs = qs.filter(items__department__in=f.department_ids).distinct()
    if f.region_ids is not None:
        qs = qs.filter(entity__region__in=f.region_ids)
    return qs


def _record_items(f: StatsFilter) -> QuerySet[RecordItem]:
    qs = RecordItem.objects.filter(record__task__in=_tasks(f))
    if f.department_ids is not None:
        qs = qs.filter(department__in=f.department_ids)
    if f.region_ids is not None:
        qs = qs.filter(record__entity__region__in=f.region_ids)
    return qs


def _cases(f: StatsFilter) -> QuerySet[Case]:
    qs = Case.objects.filter(task__in=_tasks(f))
    if f.department_ids is not None:
        qs = qs.filter(
            Q(department__in=f.department_ids)
            | Q(origin_department__in=f.department_ids)
            | Q(transfer_to__in=f.department_ids)
        )
    if f.region_ids is not None:
        qs = qs.filter(entity__region__in=f.region_ids)
    return qs


def _percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# ---------------------------------------------------------------- 1. draw per risk class


def _frame_strata(attempt: DrawAttempt) -> dict[str, int]:
    """Per risk class, the frame size the announcement froze."""
    try:
        strata = json.loads(attempt.announcement)["frame"]["strata"]
    except (ValueError, KeyError, TypeError):
        return {}
    counts: Counter[str] = Counter()
    for stratum in strata:
        counts[str(stratum["stratum"]).split(":", 1)[0]] += int(stratum["count"])
    return dict(counts)


def _drawn_strata(attempt: DrawAttempt) -> Counter[str]:
    """Per risk class, the objects an attempt drew that were not replaced."""
    return Counter(
        stratum.split(":", 1)[0]
        for stratum in DrawnObject.objects.filter(attempt=attempt)
        .exclude(state=ObjectState.REPLACED)
        .values_list("stratum", flat=True)
    )


@dataclass
class _RiskTotals:
    """The frame, the drawn objects and the expected draw per risk class, over all tasks."""

    frame: Counter[str] = field(default_factory=Counter)
    drawn: Counter[str] = field(default_factory=Counter)
    expected: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def _task_risk_rows(task: Task, attempt: DrawAttempt, totals: _RiskTotals) -> list[list[Any]]:
    """One row per risk class the task's draw touched; adds the task to ``totals``."""
    rows: list[list[Any]] = []
    frame = _frame_strata(attempt)
    drawn = _drawn_strata(attempt)
    ratios = task.ratios()
    for risk in RISK_LABELS:
        if not frame.get(risk) and not drawn.get(risk):
            continue
        totals.frame[risk] += frame.get(risk, 0)
        totals.drawn[risk] += drawn[risk]
        totals.expected[risk] += frame.get(risk, 0) * ratios[risk]
        rows.append(
            [
                task.number,
                RISK_LABELS[risk],
                frame.get(risk, 0),
                drawn[risk],
                _num(_percent(drawn[risk], frame.get(risk, 0))),
                float(ratios[risk]),
            ]
        )
    return rows


def _risk_series(totals: _RiskTotals, risks: list[str]) -> list[dict[str, Any]]:
    """The drawn share against the set share (weighted by frame size) per risk class."""
    return [
        {
            "name": "实际抽取比例",
            "data": [_num(_percent(totals.drawn[r], totals.frame[r])) for r in risks],
        },
        {
            "name": "设定比例",
            "data": [
                _num((totals.expected[r] / totals.frame[r]).quantize(Decimal("0.1"), ROUND_HALF_UP))
                if totals.frame[r]
                else None
                for r in risks
            ],
        },
    ]


def draw_by_risk(f: StatsFilter) -> Figure:
    """Objects drawn per risk class against the frame and the task's ratios."""
    rows: list[list[Any]] = []
    totals = _RiskTotals()
    for task in _tasks(f).select_related("plan"):
        attempt = task.draw_attempts.filter(status=AttemptStatus.DRAWN).order_by("-number").first()
        if attempt is None:
            continue
        rows += _task_risk_rows(task, attempt, totals)
    risks = [r for r in RISK_LABELS if totals.frame[r] or totals.drawn[r]]
    return Figure(
        key="draw",
        title="各信用风险分类抽取情况",
        columns=["任务", "风险分类", "名录户数", "抽取户数", "实际抽取比例（%）", "设定比例（%）"],
        rows=rows,
        categories=[RISK_LABELS[r] for r in risks],
        series=_risk_series(totals, risks),
        unit="%",
        note="设定比例按各任务名录户数加权；区域筛选不适用于抽取名录。",
    )


# ---------------------------------------------------------------- 2. timeliness of each step


@dataclass
class _Tally:
    total: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    running: int = 0

    def add_deadline(self, d: Deadline, today: dt.date) -> None:
        self.total += 1
        if d.state == DeadlineState.DONE:
            if d.completed_late:
                self.late += 1
            else:
                self.on_time += 1
        elif d.state == DeadlineState.OVERDUE or d.due_date < today:
            self.overdue += 1
        else:
            self.running += 1

    def row(self, label: str) -> list[Any]:
        done = self.on_time + self.late
        return [
            label,
            self.total,
            done,
            self.on_time,
            self.late,
            self.overdue,
            self.running,
            _num(_percent(self.on_time, self.total)),
        ]


def _task_deadlines(kind: str, task_ids: Iterable[int], f: StatsFilter) -> QuerySet[Deadline]:
    qs = Deadline.objects.filter(
        kind=kind, target_type="campaigns.task", target_id__in=[str(t) for t in task_ids]
    )
    if f.department_ids is not None:
        qs = qs.filter(department__in=f.department_ids)
    return qs


def _entry_tally(f: StatsFilter, task_ids: list[int], today: dt.date) -> _Tally:
    """Result entry per record item, against the task's 20-working-day limit."""
    due_by_task: dict[int, dt.date] = {}
    for d in Deadline.objects.filter(
        kind=DeadlineKind.ENTER_RESULTS,
        target_type="campaigns.task",
        target_id__in=[str(t) for t in task_ids],
    ):
        task_id = int(d.target_id)
        due_by_task[task_id] = min(d.due_date, due_by_task.get(task_id, d.due_date))
    tally = _Tally()
    for task_id, entered_at in _record_items(f).values_list("record__task_id", "entered_at"):
        due = due_by_task.get(task_id)
        tally.total += 1
        if entered_at is not None:
            if due is not None and timezone.localdate(entered_at) > due:
                tally.late += 1
            else:
                tally.on_time += 1
        elif due is not None and due < today:
            tally.overdue += 1
        else:
            tally.running += 1
    return tally


def step_timeliness(f: StatsFilter, *, today: dt.date) -> Figure:
    """Completion and timeliness of confirmation, entry, publication and disposal."""
    task_ids = list(_tasks(f).values_list("pk", flat=True))
    confirm, publish, disposal = _Tally(), _Tally(), _Tally()
    for d in _task_deadlines(DeadlineKind.CONFIRM_OBJECTS, task_ids, f):
        confirm.add_deadline(d, today)
    for d in _task_deadlines(DeadlineKind.ENTER_RESULTS, task_ids, f):
        publish.add_deadline(d, today)
    case_ids = [str(pk) for pk in _cases(f).values_list("pk", flat=True)]
    disposal_deadlines = Deadline.objects.filter(
        kind=DeadlineKind.DISPOSAL, target_type="followup.case", target_id__in=case_ids
    )
    if f.department_ids is not None:
        disposal_deadlines = disposal_deadlines.filter(department__in=f.department_ids)
    for d in disposal_deadlines:
        disposal.add_deadline(d, today)
    entry = _entry_tally(f, task_ids, today)
    steps = [
        ("派发对象确认", confirm),
        ("检查结果录入", entry),
        ("抽查结果公示", publish),
        ("后续处置", disposal),
    ]
    return Figure(
        key="timeliness",
        title="各环节完成及时情况",
        columns=[
            "环节",
            "应办",
            "已完成",
            "按时完成",
            "超期完成",
            "超期未完成",
            "进行中",
            "按时完成率（%）",
        ],
        rows=[tally.row(label) for label, tally in steps],
        categories=[label for label, _ in steps],
        series=[
            {"name": "按时完成", "data": [t.on_time for _, t in steps]},
            {"name": "超期完成", "data": [t.late for _, t in steps]},
            {"name": "超期未完成", "data": [t.overdue for _, t in steps]},
            {"name": "进行中", "data": [t.running for _, t in steps]},
        ],
        kind="stacked",
        note="确认、公示按部门办理时限计；录入按检查事项计，以任务的录入时限为准；"
        "处置按每个处置时限计（移交接收、重新办理各起算一次）。",
    )


# ---------------------------------------------------------------- 3. results by item and department


def _root_labels() -> dict[int, tuple[int, str]]:
    """Map each result code to its top-level code (sort, label)."""
    codes = {c.pk: c for c in ResultCode.objects.all()}
    roots = {}
    for pk, code in codes.items():
        root = code
        while root.parent_id is not None and root.parent_id in codes:
            root = codes[root.parent_id]
        roots[pk] = (root.sort, root.label)
    return roots


def result_distribution(f: StatsFilter) -> Figure:
    """Results per department and item, counted once per item row and top-level result."""
    roots = _root_labels()
    items = _record_items(f)
    codes_of: dict[int, set[tuple[int, str]]] = defaultdict(set)
    through = RecordItem.result_codes.through
    for item_id, code_id in through.objects.filter(recorditem__in=items.values("pk")).values_list(
        "recorditem_id", "resultcode_id"
    ):
        if code_id in roots:
            codes_of[item_id].add(roots[code_id])
    per_row: Counter[tuple[str, str, str, tuple[int, str]]] = Counter()
    per_department: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    departments: list[str] = []
    rows = items.order_by("department__path", "item__code", "pk").values_list(
        "pk", "department__path", "department__name", "item__code", "item__name"
    )
    for pk, path, name, code, item_name in rows:
        codes = codes_of.get(pk)
        if not codes:
            continue
        if name not in departments:
            departments.append(name)
        for root in codes:
            per_row[(path, name, f"{code} {item_name}", root)] += 1
            per_department[name][root] += 1
    labels = sorted({root for counter in per_department.values() for root in counter})
    return Figure(
        key="results",
        title="检查结果分布（按部门、事项）",
        columns=["部门", "抽查事项", "检查结果", "户次"],
        rows=[
            [name, item, root[1], n]
            for (_path, name, item, root), n in sorted(per_row.items(), key=lambda kv: kv[0])
        ],
        categories=departments,
        series=[
            {"name": label, "data": [per_department[d][(sort, label)] for d in departments]}
            for sort, label in labels
        ],
        kind="stacked",
        note="同一检查事项选了同一大类下的多个结果时只计一次。",
    )


# ---------------------------------------------------------------- 4. cases


def case_status(f: StatsFilter, *, today: dt.date) -> Figure:
    """Follow-up cases per holding department: open, awaiting transfer, overdue, closed."""
    cases = _cases(f)
    transferred = set(
        Case.objects.filter(pk__in=cases.values("pk"), steps__kind=StepKind.ACCEPT).values_list(
            "pk", flat=True
        )
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    order: dict[str, str] = {}
    for case in cases.select_related("department", "deadline"):
        name = case.department.name
        order[name] = case.department.path
        c = counts[name]
        c["total"] += 1
        c[case.state] += 1
        if case.state != CaseState.CLOSED and case.deadline is not None:
            if case.deadline.state == DeadlineState.OVERDUE or case.deadline.due_date < today:
                c["overdue"] += 1
        if case.pk in transferred:
            c["transferred"] += 1
    names = sorted(counts, key=lambda n: order[n])
    keys = [
        ("处置中", CaseState.OPEN),
        ("移交待接收", CaseState.TRANSFERRING),
        ("已超期", "overdue"),
        ("已办结", CaseState.CLOSED),
    ]
    return Figure(
        key="cases",
        title="后续处置事项办理情况",
        columns=["办理部门", "处置事项", "处置中", "移交待接收", "其中已超期", "已办结", "经移交"],
        rows=[
            [
                n,
                counts[n]["total"],
                counts[n][CaseState.OPEN],
                counts[n][CaseState.TRANSFERRING],
                counts[n]["overdue"],
                counts[n][CaseState.CLOSED],
                counts[n]["transferred"],
            ]
            for n in names
        ],
        categories=names,
        series=[{"name": label, "data": [counts[n][key] for n in names]} for label, key in keys],
        note="“已超期”是处置中或移交待接收、已过办理时限的事项；“经移交”是被其他部门接收过的事项。",
    )


# ---------------------------------------------------------------- 5. visits saved


def visits_saved(f: StatsFilter) -> Figure:
    """进一次门、查多项事: visits each department would have made alone, against the joint ones."""
    per_task: dict[int, dict[str, Any]] = {}
    records = _records(f)
    departments_of: dict[int, set[int]] = defaultdict(set)
    items_of: Counter[int] = Counter()
    for record_id, department_id in RecordItem.objects.filter(
        record__in=records.values("pk")
    ).values_list("record_id", "department_id"):
        departments_of[record_id].add(department_id)
        items_of[record_id] += 1
    ordered = records.order_by("task__window_start", "task__number", "number").values_list(
        "pk", "task_id", "task__number", "merged_into_id"
    )
    for pk, task_id, task_number, merged_into in ordered:
        row = per_task.setdefault(
            task_id,
            {"task": task_number, "records": 0, "items": 0, "alone": 0, "visits": 0, "merged": 0},
        )
        row["records"] += 1
        row["items"] += items_of[pk]
        row["alone"] += len(departments_of[pk])
        if merged_into is None:
            row["visits"] += 1
        else:
            row["merged"] += 1
    rows = [
        [
            r["task"],
            r["records"],
            r["items"],
            r["alone"],
            r["visits"],
            r["merged"],
            r["alone"] - r["visits"],
        ]
        for r in per_task.values()
    ]
    return Figure(
        key="visits",
        title="联合检查减少上门次数（进一次门、查多项事）",
        columns=[
            "任务",
            "检查对象户数",
            "检查事项数",
            "各部门单独检查需上门次数",
            "实际上门次数",
            "与其他任务合并检查户数",
            "减少上门次数",
        ],
        rows=rows,
        categories=[r[0] for r in rows],
        series=[
            {"name": "各部门单独检查需上门", "data": [r[3] for r in rows]},
            {"name": "实际上门", "data": [r[4] for r in rows]},
        ],
        note="单独检查需上门次数 = 每户涉及的部门数之和；合并到其他任务一并检查的户不再单独上门。",
    )


# ---------------------------------------------------------------- 6. checked more than once


def repeat_checks(f: StatsFilter, *, year: int) -> Figure:
    """Enterprises visited more than once in the year (merged visits count once)."""
    scoped = StatsFilter(year=year, department_ids=f.department_ids, region_ids=f.region_ids)
    visits: dict[int, list[str]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    records = (
        _records(scoped)
        .filter(merged_into__isnull=True)
        .order_by("task__window_start", "task__number")
        .values_list("entity_id", "entity__name", "entity__uscc", "entity__reg_no", "task__number")
    )
    for entity_id, name, uscc, reg_no, task_number in records:
        visits[entity_id].append(task_number)
        names[entity_id] = (name, uscc or reg_no)
    histogram: Counter[str] = Counter()
    for tasks in visits.values():
        histogram["1次" if len(tasks) == 1 else "2次" if len(tasks) == 2 else "3次及以上"] += 1
    repeated = sorted(
        ((e, t) for e, t in visits.items() if len(t) > 1),
        key=lambda et: (-len(et[1]), names[et[0]][0]),
    )
    buckets = ["1次", "2次", "3次及以上"]
    return Figure(
        key="repeat",
        title=f"{year}年被多次检查的检查对象",
        columns=["检查对象", "统一社会信用代码/注册号", "检查次数", "任务"],
        rows=[[names[e][0], names[e][1], len(t), "；".join(t)] for e, t in repeated],
        categories=buckets,
        series=[{"name": "检查对象户数", "data": [histogram[b] for b in buckets]}],
        note="按年度统计，不受任务筛选影响；与其他任务合并的一次上门只计一次。",
    )


def all_figures(f: StatsFilter, *, today: dt.date, year: int) -> list[Figure]:
    return [
        draw_by_risk(f),
        step_timeliness(f, today=today),
        result_distribution(f),
        case_status(f, today=today),
        visits_saved(f),
        repeat_checks(f, year=year),
    ]


# ---------------------------------------------------------------- the task report


def stats_task_get_for_user(user: User, task_id: int) -> Task:
    """Return a task whose report the user may print, or 404."""
    try:
        return (
            stats_tasks_for_user(user)
            .select_related("lead_department", "plan")
            .prefetch_related("participants__department")
            .get(pk=task_id)
        )
    except Task.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class TaskSummary:
    """The headline figures of a task's report."""

    records: int
    items: int
    departments: int
    problems: int
    cases: int
    cases_closed: int
    visits_saved: int


def task_summary(f: StatsFilter) -> TaskSummary:
    records = _records(f)
    items = _record_items(f)
    cases = _cases(f)
    visits = visits_saved(f)
    return TaskSummary(
        records=records.count(),
        items=items.count(),
        departments=items.values("department").distinct().count(),
        problems=items.filter(result_codes__needs_follow_up=True).distinct().count(),
        cases=cases.count(),
        cases_closed=cases.filter(state=CaseState.CLOSED).count(),
        visits_saved=sum(row[-1] for row in visits.rows),
    )
