"""The to-do list of each role: what appears, with which deadline, lateness and link;
nothing outside the user's scope; a fixed number of queries whatever the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import EntityFactory
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DepartmentClaim, DrawOfficial
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import DepartmentReview, JointRecord
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Departments, Regions
from spotcheck.workflow.tests.todo_factories import (
    MONDAY,
    deadline,
    drawn_attempt,
    joint_task,
    submitted_records,
    transferring_case,
)
from spotcheck.workflow.todos import (
    LATER,
    LIMIT,
    OVERDUE,
    TODAY,
    WEEK,
    Todo,
    todo_count_for_user,
    todos_for_user,
)

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


def _only(todos: list[Todo], what: str) -> Todo:
    found = [t for t in todos if what in t.what]
    assert len(found) == 1, [t.what for t in todos]
    return found[0]


def _whats(user: User) -> list[str]:
    return [t.what for t in todos_for_user(user, today=MONDAY)]


# --------------------------------------------------------------------------- department admin


def test_a_department_confirms_its_dispatched_objects_within_two_working_days(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given: the market has until Wednesday (2 working days after Monday)
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CONFIRMING)
    deadline(
        departments.market,
        joint.task,
        kind=DeadlineKind.CONFIRM_OBJECTS,
        due=MONDAY + dt.timedelta(days=2),
    )

    # when
    todo = _only(todos_for_user(dept_admin, today=MONDAY), "比对确认")

    # then
    assert todo.what == "比对确认派发给晋州市市场监督管理局的检查对象"
    assert todo.task == "晋州市政府办抽查〔2026〕10号 第十次联合抽查"
    assert todo.url == reverse("draws:objects", args=[joint.task.pk])
    assert (todo.due, todo.days_left, todo.urgency) == (dt.date(2026, 3, 4), 2, WEEK)
    assert todo.lateness == "还剩2个工作日"


def test_a_confirmation_past_its_deadline_is_overdue_by_working_days(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given: due last Thursday; Friday and Monday have passed since
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CONFIRMING)
    deadline(
        departments.market,
        joint.task,
        kind=DeadlineKind.CONFIRM_OBJECTS,
        due=dt.date(2026, 2, 26),
        state=DeadlineState.OVERDUE,
    )

    # when
    todos = todos_for_user(dept_admin, today=MONDAY)

    # then: listed once, as the confirmation, not again as an overdue deadline
    todo = _only(todos, "比对确认")
    assert (todo.days_left, todo.urgency, todo.lateness) == (-2, OVERDUE, "已超期2个工作日")
    assert len(todos) == 1


def test_a_confirmed_department_or_another_department_has_nothing_to_confirm(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    parent_dept_admin: User,
) -> None:
    # given: the market confirmed; the police did not
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CONFIRMING)
    joint.task.participants.filter(department=departments.market).update(confirmed_at=NOON)

    # then: the police's step is never the market's (nor its parent's)
    assert _whats(dept_admin) == []
    assert _whats(parent_dept_admin) == []


def test_a_department_claims_its_objects_once_the_task_is_grouping(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.GROUPING)
    attempt = drawn_attempt(joint.task, lead_admin)

    # when
    todo = _only(todos_for_user(dept_admin, today=MONDAY), "认领")

    # then
    assert todo.what == "认领晋州市市场监督管理局的检查对象并抽取执法检查人员"
    assert todo.url == reverse("campaigns:task_detail", args=[joint.task.pk])
    assert (todo.due, todo.urgency) == (None, LATER)

    # and once claimed it is gone
    DepartmentClaim.objects.create(
        attempt=attempt, department=departments.market, claimed_by=dept_admin
    )
    assert _whats(dept_admin) == []


def test_a_department_reviews_the_submitted_records_with_its_items(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given: one record with a market item, sent for review, 20 working days to publish
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    (record,) = submitted_records(joint, 1, items=[joint.market_item])
    deadline(departments.market, record, kind=DeadlineKind.ENTER_RESULTS, due=dt.date(2026, 3, 30))

    # when
    todo = _only(todos_for_user(dept_admin, today=MONDAY), "审核")

    # then
    assert todo.what == f"审核联合检查记录表：{record.entity.name}（{record.number}）"
    assert todo.url == reverse("inspections:field_final", args=[record.pk])
    assert (todo.due, todo.days_left, todo.urgency) == (dt.date(2026, 3, 30), 20, LATER)
    # the police has no item on it
    assert _whats(other_dept_admin) == []


def test_a_review_given_in_this_round_takes_the_record_off_the_list(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given: reviewed in round 1, then sent again (round 2) and reviewed again
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    (record,) = submitted_records(joint, 1, items=[joint.market_item])
    DepartmentReview.objects.create(
        record=record,
        department=departments.market,
        review_round=1,
        decision=ReviewDecision.RETURNED,
        reviewed_by=dept_admin,
        reviewed_at=NOON,
    )
    assert _whats(dept_admin) == []

    # when: sent again in round 2
    JointRecord.objects.filter(pk=record.pk).update(review_round=2)

    # then
    assert len([w for w in _whats(dept_admin) if w.startswith("审核")]) == 1


def test_a_department_accepts_a_follow_up_transferred_to_it(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given: the market transfers a case to the police
    joint = joint_task(departments, regions, lead_admin, state=TaskState.DISPOSING)
    record = make_record(
        joint.task, EntityFactory(name="晋州市丁果蔬农民专业合作社"), None, [joint.market_item]
    )
    case = transferring_case(joint, record, departments.police)

    # when
    todo = _only(todos_for_user(other_dept_admin, today=MONDAY), "移交")

    # then
    assert todo.what == (
        f"接收晋州市市场监督管理局移交的后续处置事项：晋州市丁果蔬农民专业合作社（{joint.market_item.name}）"
    )
    assert todo.url == reverse("followup:case_detail", args=[case.pk])
    # the sender waits; it has nothing to do
    assert _whats(dept_admin) == []


def test_a_department_sees_its_overdue_deadlines_and_not_another_departments(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given: the market's publication of a record is 3 working days late
    joint = joint_task(departments, regions, lead_admin, state=TaskState.ENTERING)
    record = make_record(joint.task, EntityFactory(), None, [joint.market_item])
    url = f"/publicity/results/record/{record.pk}/"
    deadline(
        departments.market,
        record,
        kind=DeadlineKind.ENTER_RESULTS,
        due=dt.date(2026, 2, 25),
        state=DeadlineState.OVERDUE,
        url=url,
    )

    # when
    todo = _only(todos_for_user(dept_admin, today=MONDAY), "超期未办")

    # then
    assert todo.task == "晋州市政府办抽查〔2026〕10号 第十次联合抽查"
    assert (todo.url, todo.days_left, todo.urgency) == (url, -3, OVERDUE)
    assert _whats(other_dept_admin) == []


def test_the_department_list_takes_the_same_queries_for_one_record_or_twenty(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    records = submitted_records(joint, 1, items=[joint.market_item])
    for r in records:
        deadline(departments.market, r, kind=DeadlineKind.ENTER_RESULTS, due=dt.date(2026, 3, 27))
    with CaptureQueriesContext(connection) as one:
        assert len(todos_for_user(dept_admin, today=MONDAY)) == 1

    # when
    more = submitted_records(joint, 19, items=[joint.market_item])
    for r in more:
        deadline(departments.market, r, kind=DeadlineKind.ENTER_RESULTS, due=dt.date(2026, 3, 27))
    with CaptureQueriesContext(connection) as twenty:
        assert len(todos_for_user(dept_admin, today=MONDAY)) == 20

    # then
    assert len(twenty) == len(one)


def test_past_the_limit_one_line_counts_the_rest(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    submitted_records(joint, LIMIT + 3, items=[joint.market_item])

    # when
    todos = todos_for_user(dept_admin, today=MONDAY)

    # then
    assert len(todos) == LIMIT + 1
    assert todos[-1].what == "另有3份记录表待审核"
    assert todos[-1].url == reverse("inspections:field_home")
    assert todo_count_for_user(dept_admin, today=MONDAY) == LIMIT + 3


# --------------------------------------------------------------------------- lead office


@pytest.mark.parametrize(
    ("state", "step", "url_name"),
    [
        (TaskState.PUBLISHED, "发起随机抽取并指定承诺官员", "draws:draw_page"),
        (TaskState.DRAWN, "派发抽取名单到各参与部门", "draws:draw_page"),
        (TaskState.CONFIRMED, "各部门均已确认，开始编组", "campaigns:task_detail"),
        (TaskState.MATCHED, "开始现场检查", "campaigns:task_detail"),
        (TaskState.PUBLICISED, "抽查结果已公示，办结任务", "campaigns:task_detail"),
        (TaskState.DISPOSING, "后续处置均已办结，办结任务", "campaigns:task_detail"),
    ],
)
def test_a_task_waiting_for_the_lead_office_is_on_its_list(
    state: str,
    step: str,
    url_name: str,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    platform_admin: User,
    dept_admin: User,
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=state)

    # when
    todos = todos_for_user(lead_admin, today=MONDAY)

    # then: the lead office and the platform see it, a department does not
    assert [(t.what, t.url) for t in todos] == [(step, reverse(url_name, args=[joint.task.pk]))]
    assert [t.what for t in todos_for_user(platform_admin, today=MONDAY)] == [step]
    assert step not in _whats(dept_admin)


def test_the_draw_waits_for_the_officials_before_the_lead_office_announces(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given: an attempt collecting commitments; the market's admin has not committed
    joint = joint_task(departments, regions, lead_admin, state=TaskState.PUBLISHED)
    attempt = drawn_attempt(joint.task, lead_admin, status=AttemptStatus.COMMITTING)
    DrawOfficial.objects.create(
        attempt=attempt, user=lead_admin, department=departments.lead_office, commitment="ab" * 32
    )
    official = DrawOfficial.objects.create(
        attempt=attempt, user=dept_admin, department=departments.market
    )
    assert _whats(lead_admin) == []

    # when
    DrawOfficial.objects.filter(pk=official.pk).update(commitment="cd" * 32)

    # then
    assert _whats(lead_admin) == ["各承诺官员均已承诺，发布抽取公告"]


def test_grouping_waits_until_every_department_claimed(
    departments: Departments, regions: Regions, lead_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.GROUPING)
    attempt = drawn_attempt(joint.task, lead_admin)
    for department in (departments.lead_office, departments.market):
        DepartmentClaim.objects.create(
            attempt=attempt, department=department, claimed_by=lead_admin
        )
    assert "各部门均已认领，随机匹配检查组与检查对象" not in _whats(lead_admin)

    # when
    DepartmentClaim.objects.create(
        attempt=attempt, department=departments.police, claimed_by=lead_admin
    )

    # then
    assert _whats(lead_admin) == ["各部门均已认领，随机匹配检查组与检查对象"]


def test_publication_waits_until_every_record_is_approved_and_confirmed(
    departments: Departments, regions: Regions, lead_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.ENTERING)
    record = make_record(joint.task, EntityFactory(), None, [joint.lead_item])
    JointRecord.objects.filter(pk=record.pk).update(state=RecordState.APPROVED)
    assert _whats(lead_admin) == ["确认已通过审核的联合检查记录表1份"]

    # when
    JointRecord.objects.filter(pk=record.pk).update(lead_confirmed_at=NOON)

    # then
    assert _whats(lead_admin) == ["记录表均已审核并确认，公示抽查结果"]


def test_a_task_led_by_another_department_is_not_the_lead_offices(
    departments: Departments, regions: Regions, lead_admin: User, platform_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.DRAWN)
    type(joint.task).objects.filter(pk=joint.task.pk).update(lead_department=departments.police)

    # then
    assert _whats(lead_admin) == []
    assert _whats(platform_admin) == ["派发抽取名单到各参与部门"]


def test_the_lead_office_sees_each_department_late_on_a_step(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given: the police let its 2 working days pass
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CONFIRMING)
    deadline(
        departments.police,
        joint.task,
        kind=DeadlineKind.CONFIRM_OBJECTS,
        due=dt.date(2026, 2, 27),
        state=DeadlineState.OVERDUE,
    )

    # when
    todo = _only(todos_for_user(lead_admin, today=MONDAY), "超期未完成")

    # then: on the confirmation page, where the lead office may confirm on its behalf
    assert todo.what == "晋州市公安局超期未完成：比对确认派发的检查对象"
    assert todo.url == reverse("draws:objects", args=[joint.task.pk])
    assert (todo.days_left, todo.urgency) == (-1, OVERDUE)
    assert "超期未完成" not in " ".join(_whats(dept_admin))


def test_the_lead_office_sees_late_records_summed_up_per_department(
    departments: Departments, regions: Regions, lead_admin: User
) -> None:
    # given: two records the police has not published in time
    joint = joint_task(departments, regions, lead_admin, state=TaskState.ENTERING)
    for _ in range(2):
        record = make_record(joint.task, EntityFactory(), None, [joint.police_item])
        deadline(
            departments.police,
            record,
            kind=DeadlineKind.ENTER_RESULTS,
            due=dt.date(2026, 2, 27),
            state=DeadlineState.OVERDUE,
        )

    # when
    todo = _only(todos_for_user(lead_admin, today=MONDAY), "超期未完成")

    # then
    assert todo.what == "晋州市公安局有2项“录入并公示抽查结果”超期未完成"
    assert todo.url == reverse("deadlines:dashboard") + "?state=overdue"


def test_the_lead_office_list_takes_the_same_queries_for_one_task_or_twenty(
    departments: Departments, regions: Regions, lead_admin: User
) -> None:
    # given
    joint_task(
        departments,
        regions,
        lead_admin,
        state=TaskState.DRAWN,
        number="晋州市政府办抽查〔2026〕100号",
    )
    with CaptureQueriesContext(connection) as one:
        assert len(todos_for_user(lead_admin, today=MONDAY)) == 1

    # when
    for n in range(101, 120):
        joint_task(
            departments,
            regions,
            lead_admin,
            state=TaskState.DRAWN,
            number=f"晋州市政府办抽查〔2026〕{n}号",
        )
    with CaptureQueriesContext(connection) as twenty:
        assert len(todos_for_user(lead_admin, today=MONDAY)) == 20

    # then
    assert len(twenty) == len(one)


# --------------------------------------------------------------------------- officials


def test_an_official_commits_then_reveals_on_the_draw_page(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.PUBLISHED)
    attempt = drawn_attempt(joint.task, lead_admin, status=AttemptStatus.COMMITTING)
    official = DrawOfficial.objects.create(
        attempt=attempt, user=dept_admin, department=departments.market
    )
    draw_page = reverse("draws:draw_page", args=[joint.task.pk])

    # when / then: the commitment is awaited, from this official only
    todo = _only(todos_for_user(dept_admin, today=MONDAY), "承诺")
    assert (todo.what, todo.url) == ("作出第1次抽取的承诺", draw_page)
    assert _whats(other_dept_admin) == []

    # when / then: after the announcement, the reveal
    DrawOfficial.objects.filter(pk=official.pk).update(commitment="ab" * 32)
    type(attempt).objects.filter(pk=attempt.pk).update(status=AttemptStatus.ANNOUNCED)
    assert _whats(dept_admin) == ["公布第1次抽取的秘密值"]


def test_the_named_approver_decides_a_redraw_request(
    departments: Departments, regions: Regions, lead_admin: User, auditor: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CONFIRMED)
    drawn_attempt(joint.task, lead_admin)
    request = drawn_attempt(joint.task, lead_admin, status=AttemptStatus.REQUESTED)
    type(request).objects.filter(pk=request.pk).update(
        approved_by=auditor, redraw_reason="执法人员名录有误"
    )

    # when
    todo = _only(todos_for_user(auditor, today=MONDAY), "审批")

    # then
    assert todo.what == "审批重新抽取申请（第2次抽取）：执法人员名录有误"
    assert todo.url == reverse("draws:draw_page", args=[joint.task.pk])


# --------------------------------------------------------------------------- inspectors


def test_an_inspector_sees_todays_and_this_weeks_records_on_the_field_pages(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    inspector_user: User,
    inspector_record: Inspector,
    other_inspector_user: User,
) -> None:
    # given: two records of the inspector's group, today and on Thursday
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    group = make_group(joint.task, [inspector_record])
    today = make_record(
        joint.task, EntityFactory(name="晋州市甲食品有限公司"), group, [joint.market_item]
    )
    thursday = make_record(
        joint.task, EntityFactory(name="晋州市乙商贸有限公司"), group, [joint.market_item]
    )
    JointRecord.objects.filter(pk=today.pk).update(planned_on=MONDAY)
    JointRecord.objects.filter(pk=thursday.pk).update(planned_on=MONDAY + dt.timedelta(days=3))

    # when
    todos = todos_for_user(inspector_user, today=MONDAY)

    # then
    assert [(t.what, t.url, t.urgency, t.due) for t in todos] == [
        (
            "今天现场检查：晋州市甲食品有限公司",
            reverse("inspections:field_record", args=[today.pk]),
            TODAY,
            MONDAY,
        ),
        (
            "本周现场检查：晋州市乙商贸有限公司",
            reverse("inspections:field_record", args=[thursday.pk]),
            WEEK,
            dt.date(2026, 3, 5),
        ),
    ]
    assert todos[0].lateness == "今天到期"
    assert _whats(other_inspector_user) == []
    assert todo_count_for_user(inspector_user, today=MONDAY) == 2


# --------------------------------------------------------------------------- auditor


def test_the_auditor_looks_at_the_corrections_of_the_last_thirty_days(
    departments: Departments, regions: Regions, lead_admin: User, auditor: User, dept_admin: User
) -> None:
    # given
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    record = make_record(joint.task, EntityFactory(), None, [joint.market_item])
    event = audit_record(actor=dept_admin, event_type=events.RECORD_CORRECTED, target=record)
    recorded = timezone.localtime(event.created_at).date()

    # when
    todo = _only(todos_for_user(auditor, today=recorded), "更正")

    # then
    assert todo.what.startswith("查看检查结果的更正：市场监管局管理员，")
    assert todo.task == "晋州市政府办抽查〔2026〕10号 第十次联合抽查"
    assert todo.url == reverse("audit:event_detail", args=[event.seq])
    # 31 days later it has left the list; nobody else gets it
    assert todos_for_user(auditor, today=recorded + dt.timedelta(days=31)) == []
    assert "更正" not in " ".join(t.what for t in todos_for_user(dept_admin, today=recorded))


def test_nobody_signed_out_has_anything_to_do() -> None:
    assert todos_for_user(AnonymousUser(), today=MONDAY) == []  # type: ignore[arg-type]
    assert todo_count_for_user(AnonymousUser(), today=MONDAY) == 0  # type: ignore[arg-type]


def test_a_department_without_objects_on_the_final_list_is_not_asked_to_claim(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    other_dept_admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a task in 编组中 whose final list has nothing for the police
    joint = joint_task(departments, regions, lead_admin, state=TaskState.GROUPING)
    attempt = drawn_attempt(joint.task, lead_admin)
    type(attempt).objects.filter(pk=attempt.pk).update(announcement="{}")
    objects = {
        departments.lead_office.name: ["91130183MA0000001X"],
        departments.market.name: ["91130183MA0000001X"],
        departments.police.name: [],
    }
    monkeypatch.setattr(
        "spotcheck.workflow.todos.department_objects", lambda _a: objects, raising=False
    )
    assert not [w for w in _whats(other_dept_admin) if "认领" in w]
    assert todo_count_for_user(other_dept_admin, today=MONDAY) == 0

    # when the departments with objects have claimed
    for department in (departments.lead_office, departments.market):
        DepartmentClaim.objects.create(
            attempt=attempt, department=department, claimed_by=lead_admin
        )

    # then the lead office is asked to match, without waiting for the police
    assert _whats(lead_admin) == ["各部门均已认领，随机匹配检查组与检查对象"]


def test_a_department_is_asked_to_enter_the_result_of_a_case_it_holds(
    departments: Departments, regions: Regions, lead_admin: User, dept_admin: User
) -> None:
    # given: a case of the market item, held open by the market, its limit overdue
    joint = joint_task(departments, regions, lead_admin, state=TaskState.DISPOSING)
    record = make_record(
        joint.task, EntityFactory(name="晋州市丁果蔬农民专业合作社"), None, [joint.market_item]
    )
    case = transferring_case(joint, record, departments.police)
    limit = deadline(departments.market, case, kind=DeadlineKind.DISPOSAL, due=MONDAY)
    type(case).objects.filter(pk=case.pk).update(state="open", transfer_to=None, deadline=limit)

    # when
    todos = todos_for_user(dept_admin, today=MONDAY + dt.timedelta(days=1))

    # then: one item, to the case's page, with the case's limit (not a second overdue line)
    assert [t.what for t in todos] == [
        f"录入后续处置结果：晋州市丁果蔬农民专业合作社（{joint.market_item.name}）"
    ]
    assert todos[0].url == reverse("followup:case_detail", args=[case.pk])
    assert (todos[0].due, todos[0].urgency) == (MONDAY, OVERDUE)
    assert todo_count_for_user(dept_admin, today=MONDAY) == 1

    # and once closed it is gone
    type(case).objects.filter(pk=case.pk).update(
        state="closed", disposal_result="已责令改正", closed_on=MONDAY
    )
    assert _whats(dept_admin) == []


def test_the_end_of_the_checks_waits_until_every_record_is_signed(
    departments: Departments, regions: Regions, lead_admin: User
) -> None:
    # given: a task in 检查中 whose check window ended yesterday, one record not signed
    joint = joint_task(departments, regions, lead_admin, state=TaskState.CHECKING)
    type(joint.task).objects.filter(pk=joint.task.pk).update(
        window_end=MONDAY - dt.timedelta(days=1)
    )
    record = make_record(joint.task, EntityFactory(), None, [joint.lead_item])
    assert "检查期已结束，转入结果录入" not in _whats(lead_admin)

    # when
    JointRecord.objects.filter(pk=record.pk).update(signed_at=NOON)

    # then
    assert _whats(lead_admin) == ["检查期已结束，转入结果录入"]
