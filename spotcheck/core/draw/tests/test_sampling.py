"""Object selection: exact k per stratum, order independence, the floor and k/N fairness."""

from __future__ import annotations

import hashlib
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotcheck.core.draw import SamplingPlan, next_reserve, select_objects
from spotcheck.core.draw.canonical import parse_decimal
from spotcheck.core.draw.sampling import _bottom, allocate, ceil_fraction, object_rank

KEY = hashlib.sha256(b"test key").digest()
RATIOS = {"A": "0.01", "B": "0.03", "C": "0.1", "D": "0.3", "U": "0.05"}
PROPERTIES = settings(max_examples=40, derandomize=True, deadline=None)


def frame(sizes: dict[str, int]) -> dict[str, list[str]]:
    """Return distinct 15-digit ids per stratum."""
    ids: dict[str, list[str]] = {}
    n = 0
    for label, size in sorted(sizes.items()):
        ids[label] = [f"{n + i:015d}" for i in range(size)]
        n += size
    return ids


sizes_strategy = st.dictionaries(st.sampled_from("ABCDU"), st.integers(1, 300), min_size=1)
floor_strategy = st.sampled_from(["0", "0.03", "0.05", "0.2", "1"])


@PROPERTIES
@given(sizes_strategy, floor_strategy, st.integers(0, 2**32))
def test_same_inputs_give_same_selection(sizes: dict[str, int], floor: str, salt: int) -> None:
    plan = SamplingPlan(RATIOS, floor=floor)
    key = hashlib.sha256(salt.to_bytes(8, "big")).digest()
    first = select_objects(frame(sizes), plan=plan, key=key)
    second = select_objects(frame(sizes), plan=plan, key=key)
    assert first == second
    assert first.file() == second.file()


@settings(max_examples=20, derandomize=True, deadline=None)
@given(sizes_strategy, floor_strategy, st.randoms(use_true_random=False))
def test_order_of_input_rows_does_not_matter(
    sizes: dict[str, int], floor: str, rng: random.Random
) -> None:
    # given
    plan = SamplingPlan(RATIOS, floor=floor)
    ids = frame(sizes)
    shuffled = {label: rng.sample(rows, len(rows)) for label, rows in reversed(ids.items())}

    # when / then
    assert select_objects(shuffled, plan=plan, key=KEY) == select_objects(ids, plan=plan, key=KEY)


@PROPERTIES
@given(sizes_strategy, floor_strategy)
def test_each_stratum_gets_exactly_its_allocation(sizes: dict[str, int], floor: str) -> None:
    # given
    plan = SamplingPlan(RATIOS, floor=floor, reserve_ratio="0.5")

    # when
    sel = select_objects(frame(sizes), plan=plan, key=KEY)

    # then
    total = sum(sizes.values())
    floor_k = ceil_fraction(parse_decimal(floor, "f") * total)
    base = {s: ceil_fraction(parse_decimal(RATIOS[s], "r") * n) for s, n in sizes.items()}
    assert sum(s.k for s in sel.strata) == max(sum(base.values()), floor_k)
    for s in sel.strata:
        assert s.base_k == base[s.stratum]
        assert s.k >= s.base_k
        assert len(s.reserve) == min(
            sizes[s.stratum] - s.k, ceil_fraction(s.k * parse_decimal("0.5", "r"))
        )
        assert len({e for _, e in s.selected + s.reserve}) == s.k + len(s.reserve)


@PROPERTIES
@given(sizes_strategy, floor_strategy)
def test_selection_is_bottom_k_of_ranks_and_shortfall_takes_next_ranked(
    sizes: dict[str, int], floor: str
) -> None:
    # given
    plan = SamplingPlan(RATIOS, floor=floor)
    ids = frame(sizes)
    ranked = {s: sorted((object_rank(KEY, e), e) for e in rows) for s, rows in ids.items()}

    # when
    sel = select_objects(ids, plan=plan, key=KEY)

    # then: each stratum holds a prefix of its ranking, the reserve is the next part ...
    for s in sel.strata:
        assert list(s.selected) == ranked[s.stratum][: s.k]
        assert list(s.reserve) == ranked[s.stratum][s.k : s.k + len(s.reserve)]
    # ... and the extras are the best-ranked of everything left after the base draw.
    leftovers = sorted(r for s in sel.strata for r in ranked[s.stratum][s.base_k :])
    extras = sorted(r for s in sel.strata for r in s.selected[s.base_k :])
    assert extras == leftovers[: len(extras)]


@PROPERTIES
@given(st.integers(1, 3000), st.integers(0, 3000))
def test_fast_bottom_k_equals_full_ranking(n: int, h: int) -> None:
    ids = [f"{i:015d}" for i in range(n)]
    expected = sorted((object_rank(KEY, e), e) for e in ids)[:h]
    assert _bottom(KEY, ids, h) == expected


def test_allocation_uses_exact_decimals() -> None:
    plan = SamplingPlan({"A": "0.1", "B": "0.03"}, floor="0.03")
    alloc = allocate({"A": 30, "B": 1001}, plan)
    assert alloc.base == {"A": 3, "B": 31}  # float 0.1 * 30 would ceil to 4
    assert alloc.floor_k == 31
    assert alloc.shortfall == 0


def test_ratio_zero_draws_nobody_from_a_stratum_unless_the_floor_needs_it() -> None:
    plan = SamplingPlan({"A": "0", "D": "0.5"}, floor="0")
    sel = select_objects(frame({"A": 50, "D": 10}), plan=plan, key=KEY)
    assert [(s.stratum, s.k, len(s.reserve)) for s in sel.strata] == [("A", 0, 0), ("D", 5, 1)]


def test_replacement_takes_the_best_unused_reserve_of_the_same_stratum() -> None:
    # given
    plan = SamplingPlan(RATIOS, reserve_ratio="1")
    sel = select_objects(frame({"B": 200, "D": 20}), plan=plan, key=KEY)
    reserve_b = [e for _, e in sel.strata[0].reserve]

    # when / then
    assert next_reserve(sel, "B", []) == reserve_b[0]
    assert next_reserve(sel, "B", reserve_b[:2]) == reserve_b[2]
    assert next_reserve(sel, "B", reserve_b) is None


def test_inclusion_frequencies_match_k_over_n() -> None:
    # given: 1,600 deterministic seeds, a stratum of 160 of which 8 are drawn (5%)
    n, draws = 160, 1600
    plan = SamplingPlan({"C": "0.05"}, reserve_ratio="0")
    ids = frame({"C": n})
    counts: Counter[str] = Counter()

    # when
    for i in range(draws):
        key = hashlib.sha256(f"chi-square seed {i}".encode()).digest()
        counts.update(select_objects(ids, plan=plan, key=key).selected_ids())

    # then: Pearson's statistic, scaled by (1 - p) because each count is binomial and
    # the counts sum to exactly draws·k, is χ² with n - 1 degrees of freedom.
    p = 8 / n
    expected = draws * p
    stat = sum((counts[e] - expected) ** 2 for e in ids["C"]) / (expected * (1 - p))
    df = n - 1
    z = 3.0902  # α = 0.001, one-sided; Wilson–Hilferty approximation of the quantile
    critical = df * (1 - 2 / (9 * df) + z * (2 / (9 * df)) ** 0.5) ** 3
    assert sum(counts.values()) == draws * 8
    assert stat < critical


def test_hashing_in_worker_processes_gives_the_same_selection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a frame large enough for the parallel path (its size floor lowered for the test)
    from spotcheck.core.draw import sampling

    monkeypatch.setattr(sampling, "PARALLEL_MIN", 0)
    ids = {
        cls: [f"91130183{cls}{n:09d}" for n in range(size)]
        for cls, size in (("A", 4000), ("B", 2500), ("C", 900), ("D", 7))
    }
    plan = SamplingPlan(ratios=dict.fromkeys("ABCD", "0.03"), floor="0.05", reserve_ratio="0.2")
    key = bytes(range(32))

    # when
    serial = select_objects(ids, plan=plan, key=key)
    parallel = select_objects(ids, plan=plan, key=key, jobs=2)

    # then
    assert parallel == serial
    assert parallel.file() == serial.file()
