"""Inspector draw, groups and matching: every rule of docs/draw-spec.md §9.7 holds."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spotcheck.core.draw import FrameRow, InspectorRow, Item, draw_inspectors, match
from spotcheck.core.draw.tests import scenario

KEY = hashlib.sha256(b"matching test").digest()


def check_rules(s: dict[str, Any], run: scenario.Run) -> None:
    """Assert every rule of spec §9.7 on one finished draw."""
    outcome = run.outcome
    order = s["departments"]
    items = {i["code"]: i for i in s["items"]}
    rows = {r.entity_id: r for r in run.frame.rows}
    avoided = {(e, c) for e, c, _ in s["avoidance"]}
    pool = {r.certificate_no: r for r in run.pool.rows}
    drawn = {
        d.department: [row.certificate_no for _, row in d.drawn]
        for d in outcome.inspectors.departments
    }
    for dept, certs in drawn.items():
        assert all(
            pool[c].drawable_on(s["draw_date"]) and pool[c].department == dept for c in certs
        )
    grouped = {g.entity_id: g for g in outcome.matching.groups}
    infeasible = {x.entity_id for x in outcome.matching.infeasible}
    specialists = {
        (x.entity_id, x.department, x.qualification) for x in outcome.matching.specialists
    }
    selected = outcome.selection.selected_ids()
    assert sorted(grouped.keys() | infeasible) == sorted(selected)
    assert not grouped.keys() & infeasible
    loads: Counter[str] = Counter()
    for entity_id, g in grouped.items():
        needs: dict[str, set[str]] = {}
        for code in rows[entity_id].items:
            needs.setdefault(items[code]["department"], set()).add(items[code]["qualification"])
        involved = sorted(needs, key=order.index)
        certs = [m.certificate_no for m in g.members]
        per_dept = Counter(m.department for m in g.members)
        assert len(certs) >= 2
        assert len(set(certs)) == len(certs)
        assert set(per_dept) == set(involved)
        assert min(per_dept.values()) >= (2 if len(involved) == 1 else 1)
        assert g.members[0].slot == 0
        assert g.members[0].department == involved[0]
        for m in g.members:
            assert m.certificate_no in drawn[m.department]
            assert (entity_id, m.certificate_no) not in avoided
            loads[m.certificate_no] += 1
        for dept, quals in needs.items():
            for q in quals - {""}:
                holders = [
                    c
                    for c in drawn[dept]
                    if q in pool[c].qualifications and (entity_id, c) not in avoided
                ]
                members = [m.certificate_no for m in g.members if m.department == dept]
                if holders:
                    assert any(q in pool[c].qualifications for c in members)
                else:
                    assert (entity_id, dept, q) in specialists
    for b in outcome.matching.balance:
        dept_loads = [loads[c] for c in drawn[b.department]] or [0]
        assert (min(dept_loads), max(dept_loads)) == (b.minimum, b.maximum)
    assert {c: n for c, n in outcome.matching.loads.items() if n} == dict(loads)


scenarios: st.SearchStrategy[dict[str, Any]] = st.builds(
    dict,
    seed=st.integers(0, 10_000),
    n=st.integers(20, 600),
    inspectors=st.tuples(st.integers(0, 12), st.integers(0, 6), st.integers(0, 5)),
    rate=st.sampled_from([0.0, 0.05, 0.3, 0.8]),
)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(scenarios)
def test_every_matching_rule_holds(params: dict[str, Any]) -> None:
    s = scenario.generate(
        params["seed"], params["n"], params["inspectors"], conflict_rate=params["rate"]
    )
    check_rules(s, scenario.run(s))


@settings(max_examples=8, derandomize=True, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_order_of_frame_pool_and_avoidance_rows_does_not_matter(seed: int, rng: Any) -> None:
    # given
    s = scenario.generate(seed, 300, (6, 3, 3), conflict_rate=0.3)
    shuffled = dict(s)
    for part in ("frame", "pool", "avoidance", "officials"):
        shuffled[part] = rng.sample(s[part], len(s[part]))

    # when / then
    assert scenario.run(shuffled).outcome.files() == scenario.run(s).outcome.files()


def _inspector(
    cert: str, dept: str, status: str = "on_duty", until: str = "2030-12-31"
) -> InspectorRow:
    return InspectorRow.of(cert, dept, status, "2020-01-01", until)


def test_only_inspectors_on_duty_with_a_valid_certificate_are_drawn() -> None:
    pool = [
        _inspector("c1", "SCJG"),
        _inspector("c2", "SCJG", status="leave"),
        _inspector("c3", "SCJG", until="2026-06-30"),
        _inspector("c4", "SCJG", until="2026-07-01"),  # valid through the draw date itself
    ]
    draw = draw_inspectors(pool, departments=["SCJG"], draw_date="2026-07-01", key=KEY)
    assert sorted(r.certificate_no for _, r in draw.departments[0].drawn) == ["c1", "c4"]
    assert (draw.departments[0].pool, draw.departments[0].eligible) == (4, 2)


def test_a_department_cap_keeps_its_best_ranked_inspectors() -> None:
    pool = [_inspector(f"c{i}", "SCJG") for i in range(10)]
    everyone = draw_inspectors(pool, departments=["SCJG"], draw_date="2026-07-01", key=KEY)
    capped = draw_inspectors(
        pool, departments=["SCJG"], draw_date="2026-07-01", key=KEY, per_department={"SCJG": 3}
    )
    assert capped.departments[0].drawn == everyone.departments[0].drawn[:3]


def test_enterprise_without_enough_non_avoided_inspectors_is_reported_not_served() -> None:
    # given: two inspectors, one of whom must avoid the enterprise
    pool = [_inspector("c1", "SCJG"), _inspector("c2", "SCJG")]
    draw = draw_inspectors(pool, departments=["SCJG"], draw_date="2026-07-01", key=KEY)
    row = FrameRow.of("91130100MA0ABC121F", "B", ["SC01"])

    # when
    result = match(
        [row],
        inspectors=draw,
        items=[Item("SC01", "SCJG")],
        avoidance={row.entity_id: frozenset({"c2"})},
        key=KEY,
    )

    # then
    assert result.groups == ()
    assert [(x.entity_id, x.required, x.available) for x in result.infeasible] == [
        (row.entity_id, 2, 1)
    ]


def test_department_must_send_a_specialist_when_nobody_drawn_is_qualified() -> None:
    pool = [_inspector("c1", "SCJG"), _inspector("c2", "SCJG"), _inspector("y1", "YJJ")]
    draw = draw_inspectors(pool, departments=["SCJG", "YJJ"], draw_date="2026-07-01", key=KEY)
    row = FrameRow.of("91130100MA0ABC121F", "B", ["SC02", "YJ01"])

    result = match(
        [row],
        inspectors=draw,
        items=[Item("SC02", "SCJG", "tezhong", "key"), Item("YJ01", "YJJ")],
        avoidance={},
        key=KEY,
    )

    assert [(x.department, x.qualification) for x in result.specialists] == [("SCJG", "tezhong")]
    assert [m.department for m in result.groups[0].members] == ["SCJG", "YJJ"]


def test_loads_differ_by_at_most_one_without_constraints() -> None:
    pool = [_inspector(f"s{i}", "SCJG") for i in range(7)] + [
        _inspector(f"y{i}", "YJJ") for i in range(3)
    ]
    draw = draw_inspectors(pool, departments=["SCJG", "YJJ"], draw_date="2026-07-01", key=KEY)
    rows = [
        FrameRow.of(f"{i:015d}", "B", ["SC01"] if i % 3 else ["SC01", "YJ01"]) for i in range(100)
    ]

    result = match(
        rows,
        inspectors=draw,
        items=[Item("SC01", "SCJG"), Item("YJ01", "YJJ")],
        avoidance={},
        key=KEY,
    )

    assert all(b.maximum - b.minimum <= 1 for b in result.balance)
    assert sum(result.loads.values()) == sum(len(g.members) for g in result.groups)


def test_a_specialist_held_by_one_inspector_is_covered_and_the_spread_reported() -> None:
    pool = [InspectorRow.of("s0", "SCJG", "on_duty", "2020-01-01", "2030-12-31", ["tezhong"])]
    pool += [_inspector(f"s{i}", "SCJG") for i in range(1, 4)]
    draw = draw_inspectors(pool, departments=["SCJG"], draw_date="2026-07-01", key=KEY)
    rows = [FrameRow.of(f"{i:015d}", "B", ["SC02"]) for i in range(12)]

    result = match(
        rows, inspectors=draw, items=[Item("SC02", "SCJG", "tezhong")], avoidance={}, key=KEY
    )

    assert all("s0" in [m.certificate_no for m in g.members] for g in result.groups)
    assert result.loads["s0"] == 12
    assert (result.balance[0].minimum, result.balance[0].maximum) == (4, 12)
