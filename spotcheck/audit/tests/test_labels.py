"""Every event type and object type the audit trail can hold has a Chinese name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from spotcheck.audit import events
from spotcheck.audit.labels import (
    EVENT_GROUPS,
    EVENT_LABELS,
    UNKNOWN_EVENT,
    UNKNOWN_TARGET,
    event_choices,
    event_group,
    event_label,
    target_type_label,
)

SPOTCHECK = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _sources() -> list[Path]:
    return [
        p
        for p in SPOTCHECK.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and p.name != "conftest.py"
    ]


def _written_event_types() -> set[str]:
    """Every event type the code can write: each ``events.NAME`` it uses and each string
    given as ``event_type=`` to ``audit_record``, plus every constant of events.py."""
    found = {v for k, v in vars(events).items() if k.isupper() and isinstance(v, str)}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "events"
            ):
                found.add(getattr(events, node.attr, f"<events.{node.attr} is not defined>"))
            if isinstance(node, ast.keyword) and node.arg == "event_type":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found.add(node.value.value)
    return found


def test_the_scan_finds_the_event_types_written_through_a_variable() -> None:
    # given / when: followup writes through _audit(case, actor, events.CASE_CLOSED)
    written = _written_event_types()

    # then
    assert events.CASE_CLOSED in written
    assert events.DRAW_REDRAW_REQUESTED in written
    assert len(written) == len(EVENT_LABELS)


def test_every_event_type_the_code_can_write_has_a_chinese_label() -> None:
    # given
    written = _written_event_types()

    # when
    missing = sorted(t for t in written if t not in EVENT_LABELS)

    # then
    assert missing == [], (
        f"这些事件类型没有中文名称，请在 spotcheck/audit/labels.py 补上：{missing}"
    )


def test_every_label_is_chinese_and_no_two_events_share_one() -> None:
    # given / when
    labels = list(EVENT_LABELS.values())

    # then
    assert [label for label in labels if not CJK.search(label)] == []
    assert len(set(labels)) == len(labels)


def test_every_event_type_belongs_to_one_group_of_the_filter() -> None:
    # given / when
    ungrouped = sorted(t for t in EVENT_LABELS if not event_group(t))

    # then
    assert ungrouped == []
    offered = {
        code
        for _group, options in event_choices()[1:]
        for code, _label in options  # type: ignore[attr-defined]
    }
    assert offered == set(EVENT_LABELS) | set(EVENT_GROUPS)


def test_an_event_type_the_table_does_not_know_is_shown_as_another_event() -> None:
    # given / when / then
    assert event_label("campaigns.task.transitioned") == "变更任务状态"
    assert event_label("no.such.event") == UNKNOWN_EVENT


@pytest.mark.parametrize(
    ("target_type", "label"),
    [
        ("campaigns.task", "联合抽查任务"),
        ("accounts.department", "监管部门"),
        ("inspections.jointrecord", "联合检查记录表"),
        ("followup.case", "后续处置事项"),
        ("no.such", UNKNOWN_TARGET),
        ("nonsense", UNKNOWN_TARGET),
        ("", ""),
    ],
)
def test_an_object_type_is_named_by_its_model(target_type: str, label: str) -> None:
    assert target_type_label(target_type) == label


def test_every_model_of_the_platform_has_a_chinese_name_for_the_trail() -> None:
    # given: audit_record stores the model's label of whatever it is given
    models = [m for m in apps.get_models() if m.__module__.startswith("spotcheck.")]

    # when
    unnamed = [
        m._meta.label_lower
        for m in models
        if not CJK.search(target_type_label(m._meta.label_lower))
    ]

    # then
    assert len(models) > 40
    assert unnamed == []
