"""spotcheck.common.cache: the platform carries on without a failing cache, and stops asking it."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache

from spotcheck.common import cache as shared_cache
from spotcheck.common.cache import CacheUnavailable, cache_count, cache_get, cache_set


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(shared_cache, "_now", lambda: now[0])
    cache.clear()
    return now


def test_a_counter_starts_at_one_and_counts_up(clock: list[float]) -> None:
    assert [cache_count("k", 60) for _ in range(3)] == [1, 2, 3]


def test_after_a_failure_the_cache_is_left_alone_for_the_pause_then_asked_again(
    clock: list[float],
) -> None:
    # given: a cache that fails every call
    with mock.patch.object(cache, "get", side_effect=TimeoutError("no answer")) as get:
        # when: three reads now, one just before the pause ends, one just after
        now = [cache_get("k") for _ in range(3)]
        clock[0] += shared_cache.PAUSE_SECONDS - 0.1
        before_end = cache_get("k")
        asked_during = get.call_count
        clock[0] += 0.2
        after_end = cache_get("k")

    # then: only the first and the last reached the cache
    assert (now, before_end, after_end) == ([None, None, None], None, None)
    assert (asked_during, get.call_count) == (1, 2)


def test_a_failed_read_pauses_the_counters_and_the_writes_too(clock: list[float]) -> None:
    # given
    with mock.patch.object(cache, "get", side_effect=ConnectionError("refused")):
        cache_get("k")

    # when / then: nothing reaches the cache, and the counter says it is unavailable
    with mock.patch.object(cache, "set") as set_, mock.patch.object(cache, "add") as add:
        cache_set("k", 1, 60)
        with pytest.raises(CacheUnavailable):
            cache_count("c", 60)
    assert (set_.call_count, add.call_count) == (0, 0)


def test_a_counter_that_expired_between_add_and_incr_restarts_without_a_pause(
    clock: list[float],
) -> None:
    # given: the key is there for add, gone for incr
    with (
        mock.patch.object(cache, "add", return_value=False),
        mock.patch.object(cache, "incr", side_effect=ValueError("Key 'c' not found")),
    ):
        # when
        restarted = cache_count("c", 60)

    # then: a new window, and the cache is still used
    assert restarted == 1
    assert cache_count("c", 60) == 1
    cache_set("k", "v", 60)
    assert cache_get("k") == "v"
