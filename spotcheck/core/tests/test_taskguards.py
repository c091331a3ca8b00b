"""The guards of the task's named steps: each blocker alone, all of them together, none."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from spotcheck.core import taskflow, taskguards
from spotcheck.core.taskguards import (
    CaseFacts,
    GroupFacts,
    ParticipantFacts,
    RecordFacts,
    StepBlocked,
    TaskSnapshot,
    blockers,
    listing,
)

TODAY = dt.date(2026, 5, 6)
LEAD = "晋州市人民政府办公室"
MARKET = "晋州市市场监督管理局"
POLICE = "晋州市公安局"


# ------------------------------------------------------------------------ 发布任务


def _draft(**changes: object) -> TaskSnapshot:
    ready = TaskSnapshot(
        state=taskflow.DRAFT,
        today=TODAY,
        lead_department=LEAD,
        participants=(
            ParticipantFacts(LEAD, ("地方金融组织检查",)),
            ParticipantFacts(MARKET, ("食品经营检查",)),
        ),
        scope_region="晋州市",
        ratios=(("A类", Decimal("3")), ("B类", Decimal("5")), ("未分类", Decimal("0"))),
        floor_ratio=Decimal("3"),
        window_start=dt.date(2026, 5, 1),
        window_end=dt.date(2026, 7, 30),
    )
    return replace(ready, **changes)  # type: ignore[arg-type]


def test_a_complete_draft_within_its_window_may_be_published() -> None:
    assert blockers(taskflow.PUBLISH, _draft()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"state": taskflow.PUBLISHED}, "任务处于“已发布”，只有“草稿”的任务可以“发布任务”"),
        ({"participants": ()}, "尚未指定参与部门及其抽查事项"),
        (
            {"participants": (ParticipantFacts(MARKET, ("食品经营检查",)),)},
            f"牵头部门（{LEAD}）须同时作为参与部门并选择抽查事项",
        ),
        (
            {
                "participants": (
                    ParticipantFacts(LEAD, ("地方金融组织检查",)),
                    ParticipantFacts(MARKET),
                )
            },
            f"以下参与部门未选择抽查事项：{MARKET}",
        ),
        (
            {
                "participants": (
                    ParticipantFacts(LEAD, ("地方金融组织检查",)),
                    ParticipantFacts(MARKET, ("食品经营检查",), department_active=False),
                )
            },
            f"以下参与部门已停用：{MARKET}",
        ),
        (
            {
                "participants": (
                    ParticipantFacts(LEAD, ("地方金融组织检查",)),
                    ParticipantFacts(MARKET, ("食品经营检查",), inactive_items=("食品经营检查",)),
                )
            },
            f"以下抽查事项已停用，须修改任务后再发布：食品经营检查（{MARKET}）",
        ),
        ({"scope_region": ""}, "尚未指定抽查对象的区域范围"),
        (
            {"ratios": (("A类", Decimal("0")), ("B类", Decimal("0")))},
            "各信用风险类别的抽取比例均为0，至少一个类别的比例须大于0",
        ),
        (
            {"ratios": (("A类", Decimal("2")), ("B类", Decimal("1.5")), ("C类", Decimal("3")))},
            "A类、B类的抽取比例低于总体下限3%（不抽取的类别请填0）",
        ),
        ({"window_end": None}, "尚未填写检查时间"),
        ({"window_end": dt.date(2026, 4, 30)}, "检查时间的结束日期早于开始日期"),
        (
            {"window_start": dt.date(2026, 3, 1), "window_end": dt.date(2026, 5, 5)},
            "检查时间已于2026年5月5日结束：如确需发布，须写明理由（至少4个字），理由记入审计日志",
        ),
    ],
)
def test_each_gap_of_a_draft_blocks_publishing_alone(
    changes: dict[str, object], expected: str
) -> None:
    assert blockers(taskflow.PUBLISH, _draft(**changes)) == [expected]


def test_every_gap_of_a_draft_is_named_at_once() -> None:
    snapshot = _draft(
        state=taskflow.PUBLISHED,
        participants=(
            ParticipantFacts(MARKET, (), department_active=False),
            ParticipantFacts(POLICE, ("保安服务检查",), inactive_items=("保安服务检查",)),
        ),
        scope_region="",
        ratios=(("A类", Decimal("1")),),
        window_start=dt.date(2026, 3, 1),
        window_end=dt.date(2026, 4, 1),
    )

    assert blockers(taskflow.PUBLISH, snapshot) == [
        "任务处于“已发布”，只有“草稿”的任务可以“发布任务”",
        f"牵头部门（{LEAD}）须同时作为参与部门并选择抽查事项",
        f"以下参与部门未选择抽查事项：{MARKET}",
        f"以下参与部门已停用：{MARKET}",
        f"以下抽查事项已停用，须修改任务后再发布：保安服务检查（{POLICE}）",
        "尚未指定抽查对象的区域范围",
        "A类的抽取比例低于总体下限3%（不抽取的类别请填0）",
        "检查时间已于2026年4月1日结束：如确需发布，须写明理由（至少4个字），理由记入审计日志",
    ]


def test_a_draft_whose_window_is_over_is_published_with_a_written_reason() -> None:
    late = _draft(window_start=dt.date(2026, 3, 1), window_end=dt.date(2026, 5, 5))

    assert taskguards.is_late(late)
    assert blockers(taskflow.PUBLISH, late, late_reason="   ") != []
    assert blockers(taskflow.PUBLISH, late, late_reason="按计划补录") == []
    # the page that asks for the reason leaves it out of account
    assert blockers(taskflow.PUBLISH, late, late_reason=None) == []


def test_a_window_ending_today_is_not_over() -> None:
    snapshot = _draft(window_end=TODAY)

    assert not taskguards.is_late(snapshot)
    assert blockers(taskflow.PUBLISH, snapshot) == []


# ------------------------------------------------------------------------ 撤回为草稿


def test_a_published_task_without_a_draw_may_go_back_to_draft() -> None:
    assert blockers(taskflow.WITHDRAW, TaskSnapshot(state=taskflow.PUBLISHED, today=TODAY)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"state": taskflow.ANNOUNCED}, "任务处于“已公告”，只有“已发布”的任务可以“撤回为草稿”"),
        (
            {"announced_attempts": ("第1次",)},
            "本任务已公告过抽取（第1次），任务条件已经公开并据以抽取，不能撤回修改",
        ),
        (
            {"open_attempts": ("第2次",)},
            "本任务有正在准备或待批准的抽取（第2次），须先放弃该次抽取或撤回其申请",
        ),
    ],
)
def test_each_draw_blocks_going_back_to_draft_alone(
    changes: dict[str, object], expected: str
) -> None:
    snapshot = replace(TaskSnapshot(state=taskflow.PUBLISHED, today=TODAY), **changes)  # type: ignore[arg-type]

    assert blockers(taskflow.WITHDRAW, snapshot) == [expected]


def test_every_draw_that_blocks_going_back_is_named() -> None:
    snapshot = TaskSnapshot(
        state=taskflow.DRAWN,
        today=TODAY,
        announced_attempts=("第1次",),
        open_attempts=("第2次",),
    )

    assert len(blockers(taskflow.WITHDRAW, snapshot)) == 3


# ------------------------------------------------------------------------ 开始检查


def _matched(**changes: object) -> TaskSnapshot:
    ready = TaskSnapshot(
        state=taskflow.MATCHED,
        today=TODAY,
        records=(
            RecordFacts("R-0001", "甲公司", group=1, departments=(MARKET, POLICE)),
            RecordFacts("R-0002", "乙公司", group=2, departments=(MARKET,)),
        ),
        groups=(
            GroupFacts(1, members=2, leaders=1, departments=frozenset({MARKET, POLICE})),
            GroupFacts(2, members=2, leaders=1, departments=frozenset({MARKET})),
        ),
    )
    return replace(ready, **changes)  # type: ignore[arg-type]


def test_a_matched_task_with_complete_groups_may_start_checking() -> None:
    assert blockers(taskflow.START_CHECKING, _matched()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"state": taskflow.GROUPING}, "任务处于“编组中”，只有“已匹配”的任务可以“开始检查”"),
        (
            {
                "records": (
                    RecordFacts("R-0001", "甲公司", group=1, departments=(MARKET, POLICE)),
                    RecordFacts("R-0002", "乙公司", group=None, departments=(MARKET,)),
                )
            },
            "以下记录表没有检查组（随机匹配时未能配齐检查人员）：R-0002（乙公司），"
            "须由有关部门补派执法检查人员",
        ),
        (
            {
                "groups": (
                    GroupFacts(1, members=2, leaders=1, departments=frozenset({MARKET, POLICE})),
                    GroupFacts(2, members=1, leaders=1, departments=frozenset({MARKET})),
                )
            },
            "以下检查组不足2名执法检查人员（执法人员不得少于两人）：第2组（1人）",
        ),
        (
            {
                "groups": (
                    GroupFacts(1, members=2, leaders=0, departments=frozenset({MARKET, POLICE})),
                    GroupFacts(2, members=2, leaders=1, departments=frozenset({MARKET})),
                )
            },
            "以下检查组没有组长：第1组",
        ),
        (
            {
                "groups": (
                    GroupFacts(1, members=3, leaders=2, departments=frozenset({MARKET, POLICE})),
                    GroupFacts(2, members=2, leaders=1, departments=frozenset({MARKET})),
                )
            },
            "以下检查组有多名组长：第1组",
        ),
        (
            {
                "groups": (
                    GroupFacts(1, members=2, leaders=1, departments=frozenset({MARKET})),
                    GroupFacts(2, members=2, leaders=1, departments=frozenset({MARKET})),
                )
            },
            f"以下记录表的检查组中没有相应部门的执法检查人员：R-0001（甲公司）缺{POLICE}",
        ),
    ],
)
def test_each_gap_of_the_groups_blocks_checking_alone(
    changes: dict[str, object], expected: str
) -> None:
    assert blockers(taskflow.START_CHECKING, _matched(**changes)) == [expected]


def test_checking_cannot_start_without_records() -> None:
    assert blockers(taskflow.START_CHECKING, _matched(records=(), groups=())) == [
        "尚未生成一企一表，须先完成随机匹配"
    ]


def test_every_gap_of_the_groups_is_named_at_once() -> None:
    snapshot = _matched(
        state=taskflow.CHECKING,
        records=(
            RecordFacts("R-0001", "甲公司", group=1, departments=(MARKET, POLICE)),
            RecordFacts("R-0002", "乙公司", group=None, departments=(MARKET,)),
        ),
        groups=(
            GroupFacts(1, members=1, leaders=0, departments=frozenset({MARKET})),
            GroupFacts(2, members=3, leaders=2, departments=frozenset({MARKET})),
        ),
    )

    found = blockers(taskflow.START_CHECKING, snapshot)

    assert [line[:8] for line in found] == [
        "任务处于“检查中",
        "以下记录表没有检",
        "以下检查组不足2",
        "以下检查组没有组",
        "以下检查组有多名",
        "以下记录表的检查",
    ]


# ------------------------------------------------------------------------ 结束现场检查


def test_checking_ends_when_every_record_is_signed() -> None:
    snapshot = TaskSnapshot(
        state=taskflow.CHECKING,
        today=TODAY,
        records=(RecordFacts("R-0001", "甲公司", signed=True),),
    )

    assert blockers(taskflow.FINISH_CHECKING, snapshot) == []


def test_unsigned_records_block_the_end_of_checking_by_name() -> None:
    snapshot = TaskSnapshot(
        state=taskflow.CHECKING,
        today=TODAY,
        records=(
            RecordFacts("R-0001", "甲公司", signed=True),
            RecordFacts("R-0002", "乙公司"),
            RecordFacts("R-0003", "丙公司", state="entered"),
        ),
    )

    assert blockers(taskflow.FINISH_CHECKING, snapshot) == [
        "以下2份记录表尚未完成现场检查并签字确认：R-0002（乙公司）、R-0003（丙公司）"
    ]
    assert blockers(taskflow.FINISH_CHECKING, replace(snapshot, state=taskflow.MATCHED))[0] == (
        "任务处于“已匹配”，只有“检查中”的任务可以“结束现场检查”"
    )


# ------------------------------------------------------------------------ 结果公示


def _published(number: str, entity: str, *departments: str) -> RecordFacts:
    return RecordFacts(
        number,
        entity,
        state="approved",
        signed=True,
        group=1,
        departments=departments,
        published=frozenset(departments),
    )


def _entering(*records: RecordFacts) -> TaskSnapshot:
    return TaskSnapshot(state=taskflow.ENTERING, today=TODAY, records=records)


def test_results_are_publicised_when_every_department_published_every_record() -> None:
    snapshot = _entering(
        _published("R-0001", "甲公司", MARKET, POLICE), _published("R-0002", "乙公司", MARKET)
    )

    assert blockers(taskflow.PUBLICISE, snapshot) == []


def test_a_record_not_yet_approved_blocks_publicising_with_its_state() -> None:
    waiting = replace(
        _published("R-0002", "乙公司", MARKET), state="submitted", published=frozenset()
    )

    assert blockers(
        taskflow.PUBLICISE, _entering(_published("R-0001", "甲公司", MARKET), waiting)
    ) == ["以下1份记录表尚未审核通过：R-0002（乙公司）待审核"]


def test_an_approved_record_with_a_department_unpublished_blocks_publicising() -> None:
    half = replace(_published("R-0001", "甲公司", MARKET, POLICE), published=frozenset({MARKET}))

    assert blockers(taskflow.PUBLICISE, _entering(half)) == [
        f"以下1份记录表已审核通过，但尚有部门的结果未公示：R-0001（甲公司）{POLICE}"
    ]


def test_a_task_without_records_has_nothing_to_publicise() -> None:
    assert blockers(taskflow.PUBLICISE, _entering()) == ["本任务没有一企一表，没有可公示的抽查结果"]


def test_every_gap_of_the_results_is_named_at_once() -> None:
    snapshot = replace(
        _entering(
            RecordFacts("R-0001", "甲公司", departments=(MARKET,)),
            replace(_published("R-0002", "乙公司", MARKET), published=frozenset()),
        ),
        state=taskflow.CHECKING,
    )

    assert blockers(taskflow.PUBLICISE, snapshot) == [
        "任务处于“检查中”，只有“结果录入中”的任务可以“结果公示”",
        "以下1份记录表尚未审核通过：R-0001（甲公司）未录入",
        f"以下1份记录表已审核通过，但尚有部门的结果未公示：R-0002（乙公司）{MARKET}",
    ]


def test_a_long_list_names_ten_and_counts_the_rest() -> None:
    names = [f"R-{n:04d}" for n in range(1, 13)]

    assert listing(names, "份") == "、".join(names[:10]) + "等12份"
    assert listing(names[:2], "份") == "R-0001、R-0002"


# ------------------------------------------------------------------------ 办结


def _cases(*cases: CaseFacts, state: str = taskflow.DISPOSING) -> TaskSnapshot:
    return TaskSnapshot(state=state, today=TODAY, cases=cases)


CLOSED = CaseFacts("R-0001-SJ-01", "甲公司", state="closed", holder=MARKET)
ACCEPTED = CaseFacts("R-0001-GA-01", "甲公司", state="open", holder=POLICE, accepted_transfer=True)
HELD = CaseFacts("R-0002-SJ-01", "乙公司", state="open", holder=MARKET)
PENDING = CaseFacts(
    "R-0003-SJ-01", "丙公司", state="transferring", holder=MARKET, transfer_to=POLICE
)


@pytest.mark.parametrize("state", [taskflow.PUBLICISED, taskflow.DISPOSING])
def test_a_task_closes_when_every_case_is_closed_or_taken_over(state: str) -> None:
    assert blockers(taskflow.CLOSE, _cases(CLOSED, ACCEPTED, state=state)) == []
    assert blockers(taskflow.CLOSE, _cases(state=state)) == []


def test_a_case_its_department_still_holds_blocks_closing() -> None:
    assert blockers(taskflow.CLOSE, _cases(CLOSED, HELD)) == [
        f"以下后续处置事项尚未办结或移交：R-0002-SJ-01（乙公司，{MARKET}办理中）"
    ]


def test_a_transfer_not_yet_accepted_blocks_closing() -> None:
    assert blockers(taskflow.CLOSE, _cases(PENDING)) == [
        f"以下后续处置事项已移交，尚待接收：R-0003-SJ-01（丙公司，{MARKET}移交{POLICE}）"
    ]


def test_every_case_in_the_way_of_closing_is_named_at_once() -> None:
    assert blockers(taskflow.CLOSE, _cases(HELD, PENDING, CLOSED, state=taskflow.ENTERING)) == [
        "任务处于“结果录入中”，只有“已公示”或“后续处置中”的任务可以“办结”",
        f"以下后续处置事项已移交，尚待接收：R-0003-SJ-01（丙公司，{MARKET}移交{POLICE}）",
        f"以下后续处置事项尚未办结或移交：R-0002-SJ-01（乙公司，{MARKET}办理中）",
    ]


def test_a_publicised_task_goes_into_disposal_only_while_a_case_is_in_the_way() -> None:
    assert blockers(taskflow.DISPOSE, _cases(HELD, state=taskflow.PUBLICISED)) == []
    assert blockers(taskflow.DISPOSE, _cases(PENDING, state=taskflow.PUBLICISED)) == []
    assert blockers(taskflow.DISPOSE, _cases(CLOSED, ACCEPTED, state=taskflow.PUBLICISED)) == [
        "没有待办理的后续处置事项"
    ]
    assert blockers(taskflow.DISPOSE, _cases(HELD))[0].startswith("任务处于“后续处置中”")


# ------------------------------------------------------------------------ all steps


def test_every_step_a_person_or_the_system_takes_after_drafting_has_a_guard() -> None:
    guarded = {
        taskflow.PUBLISH,
        taskflow.WITHDRAW,
        taskflow.START_CHECKING,
        taskflow.FINISH_CHECKING,
        taskflow.PUBLICISE,
        taskflow.DISPOSE,
        taskflow.CLOSE,
    }
    assert set(taskguards.GUARDS) == guarded
    for source, step in taskguards.AUTOMATIC.items():
        transition = taskflow.step_transition(source, step)
        assert transition is not None
        assert taskflow.SYSTEM in transition.actors


def test_a_refused_step_says_every_blocker_in_one_message() -> None:
    refused = StepBlocked(taskflow.CLOSE, ["甲", "乙"])

    assert str(refused) == "现在不能“办结”：甲；乙"
    assert refused.blockers == ["甲", "乙"]
