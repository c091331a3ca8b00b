"""The follow-up case (后续处置事项) state machine: states, moves, transfer rules.

    处置中 ──移交──▶ 移交待接收 ──接收──▶ 处置中（接收部门）
      ▲  │              └──退回（须写明理由）──▶ 处置中（原部门）
      │  └──办结（须有处置结果和日期）──▶ 已办结
      └────────────重新办理（须写明理由）────────┘

A department handles a case itself (责令改正, 立案查处, 列入经营异常名录, 其他) or
transfers it to the competent department, which accepts or returns it.  Pure rules:
no Django, no database; the services load the rows, ask these functions, and write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from spotcheck.core.errors import DomainError

OPEN = "open"
TRANSFERRING = "transferring"
CLOSED = "closed"

STATE_LABELS: dict[str, str] = {
    OPEN: "处置中",
    TRANSFERRING: "移交待接收",
    CLOSED: "已办结",
}

# actions (each is one recorded step of a case)
MEASURE = "measure"
TRANSFER = "transfer"
ACCEPT = "accept"
RETURN = "return"
CLOSE = "close"
REOPEN = "reopen"

ACTION_LABELS: dict[str, str] = {
    MEASURE: "记录处置措施",
    TRANSFER: "移交",
    ACCEPT: "接收移交",
    RETURN: "退回移交",
    CLOSE: "办结",
    REOPEN: "重新办理",
}

# action → (allowed source states, target state); a measure keeps the case open
MOVES: dict[str, tuple[frozenset[str], str]] = {
    MEASURE: (frozenset({OPEN}), OPEN),
    TRANSFER: (frozenset({OPEN}), TRANSFERRING),
    ACCEPT: (frozenset({TRANSFERRING}), OPEN),
    RETURN: (frozenset({TRANSFERRING}), OPEN),
    CLOSE: (frozenset({OPEN}), CLOSED),
    REOPEN: (frozenset({CLOSED}), OPEN),
}

# Who acts: the department holding the case, or the one a transfer is addressed to.
HOLDER = "holder"
RECEIVER = "receiver"
ACTING_SIDE: dict[str, str] = {
    MEASURE: HOLDER,
    TRANSFER: HOLDER,
    ACCEPT: RECEIVER,
    RETURN: RECEIVER,
    CLOSE: HOLDER,
    REOPEN: HOLDER,
}

# 处置措施
ORDER_CORRECTION = "order_correction"
FILE_CASE = "file_case"
ABNORMAL_LIST = "abnormal_list"
OTHER = "other"

MEASURE_LABELS: dict[str, str] = {
    ORDER_CORRECTION: "责令改正",
    FILE_CASE: "立案查处",
    ABNORMAL_LIST: "列入经营异常名录",
    OTHER: "其他",
}

# Measures whose outcome is public by law: administrative penalties (企业信息公示暂行条例
# 第六条) and listings in the 经营异常名录 are published on the enterprise's record.
PUBLIC_MEASURES = frozenset({FILE_CASE, ABNORMAL_LIST})

DISPOSAL_WORKING_DAYS = 20
REASON_MIN_LENGTH = 4


class CaseRuleError(DomainError):
    """A follow-up step the rules refuse; the message is shown to the official."""


def move(state: str, action: str) -> str:
    """Return the state after ``action``, or refuse it with a Chinese explanation."""
    if action not in MOVES:
        raise CaseRuleError(f"未知的处置操作：{action}")
    sources, target = MOVES[action]
    if state not in sources:
        raise CaseRuleError(
            f"处置事项当前为“{STATE_LABELS.get(state, state)}”，不能“{ACTION_LABELS[action]}”"
        )
    return target


def available_actions(state: str) -> list[str]:
    """Return the actions the state allows, in display order."""
    return [a for a in ACTION_LABELS if state in MOVES[a][0]]


def check_measure(measure: str, note: str) -> None:
    """A measure must be one of the four; 其他 needs a description."""
    if measure not in MEASURE_LABELS:
        raise CaseRuleError("请选择处置措施：责令改正、立案查处、列入经营异常名录或其他")
    if measure == OTHER and not note.strip():
        raise CaseRuleError("选择“其他”处置措施时须说明具体措施")


def check_transfer(*, holder: int, target: int, holders: Sequence[int]) -> None:
    """Refuse a transfer to the holder itself, or back to a department that held the case.

    ``holders`` are the departments that have held the case, in order, the current one
    last.  A department that once held the case and passed it on may not receive it
    again by transfer: the case would go round in a circle.  The one way back is the
    receiving department's 退回, which the sender's running time limit covers.
    """
    if target == holder:
        raise CaseRuleError("不能移交给本部门")
    if target in holders:
        raise CaseRuleError("该部门已办理过本事项并已移交出去，再移交回去会形成循环移交")


def check_reason(reason: str, what: str) -> str:
    """Return the stripped reason, or refuse an empty or token one."""
    text = reason.strip()
    if len(text) < REASON_MIN_LENGTH:
        raise CaseRuleError(f"{what}须写明理由（至少{REASON_MIN_LENGTH}个字）")
    return text


def check_closure(
    *, result: str, closed_on: dt.date | None, found_on: dt.date, today: dt.date
) -> None:
    """A case closes with a written result and a date between the finding and today."""
    if not result.strip():
        raise CaseRuleError("办结须填写处置结果")
    if closed_on is None:
        raise CaseRuleError("办结须填写处置日期")
    if closed_on > today:
        raise CaseRuleError("处置日期不能晚于今天")
    if closed_on < found_on:
        raise CaseRuleError(f"处置日期不能早于发现问题的日期（{found_on:%Y年%m月%d日}）")


def must_be_public(measures: Sequence[str]) -> bool:
    """Tell whether the recorded measures make the disposal result public."""
    return any(m in PUBLIC_MEASURES for m in measures)
