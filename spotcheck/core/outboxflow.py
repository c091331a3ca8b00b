"""The outbox message's state machine (报送国家企业信用信息公示系统): states and moves.

    待发送 ──占用──▶ 发送中 ──▶ 已送达
      ▲                 ├──▶ 待发送（重试）
      │                 ├──▶ 发送失败（拒收或最后一次尝试）
      │                 └──▶ 发送中（占用过期，另一发送者接手）
      └──────人工重发──── 发送失败

A delivered message never moves again; only the platform admin sends a dead one
again.  Pure rules: no Django, no database.
"""

from __future__ import annotations

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
DEAD = "dead"

STATE_LABELS: dict[str, str] = {
    PENDING: "待发送",
    SENDING: "发送中",
    DELIVERED: "已送达",
    DEAD: "发送失败",
}

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({SENDING}),
    SENDING: frozenset({DELIVERED, PENDING, DEAD, SENDING}),
    DEAD: frozenset({PENDING}),
    DELIVERED: frozenset(),
}


def can_move(source: str, target: str) -> bool:
    """Whether a message in ``source`` may move to ``target``."""
    return target in TRANSITIONS.get(source, frozenset())
