"""Pool children end on SIGTERM, even one that arrives before their handlers are reset."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from typing import Any

import pytest

from spotcheck.core.processes import child_signals_reset, signals_held

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not hasattr(signal, "pthread_sigmask"), reason="POSIX only"
)


def _slow_start() -> None:
    """A child that is slow to reach its initializer (a busy machine), then works."""
    time.sleep(0.5)
    child_signals_reset()
    time.sleep(30)


def _graceful(signum: int, frame: Any) -> None:
    """The parent's handler, as a background-task worker's: note it, keep running."""


@pytest.mark.parametrize("held", [True, False])
def test_a_sigterm_before_the_child_reset_its_handlers_ends_it_only_when_held(
    held: bool,
) -> None:
    # given: a parent whose SIGTERM handler shuts down "gracefully"; a child just forked
    before = signal.signal(signal.SIGTERM, _graceful)
    try:
        context = multiprocessing.get_context("fork")
        child = context.Process(target=_slow_start, daemon=True)
        if held:
            with signals_held():
                child.start()
        else:
            child.start()

        # when: it is terminated before it reset its handlers
        assert child.pid is not None
        os.kill(child.pid, signal.SIGTERM)
        child.join(5)

        # then: held, it ends as soon as it takes the signal; otherwise the parent's
        # handler swallowed it and the child lives on (the hang this prevents)
        assert (child.exitcode == -signal.SIGTERM) is held
    finally:
        signal.signal(signal.SIGTERM, before)
        if child.is_alive():
            child.kill()
            child.join()


def test_the_signals_held_come_back_in_the_parent() -> None:
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())

    with signals_held():
        assert signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, set())

    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
