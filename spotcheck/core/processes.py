"""Worker processes forked for one piece of work (the draw's hashing, an import's checks).

A forked child inherits its parent's signal handlers. A background-task worker that is
running a task answers SIGTERM with a graceful shutdown that waits for the task to end;
in a pool's child that handler would keep the child alive when the pool terminates it
(``multiprocessing.Pool`` ends its children with SIGTERM, also when work stops early on an
error), and the parent would wait for that child for ever. Each pool therefore starts its
children with :func:`child_signals_reset`, and is created inside :func:`signals_held`, so
that a SIGTERM reaching a child before its handlers are reset waits for them instead of
meeting the parent's; :func:`forked_pool` does both.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from typing import Any

_HELD = {signal.SIGTERM, signal.SIGINT} | (
    {signal.SIGQUIT} if hasattr(signal, "SIGQUIT") else set()
)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGTERM, SIGINT and SIGQUIT in this thread while a pool forks its children.

    The children (and the pool's own threads, started here) inherit the held signals; a
    child takes them only once :func:`child_signals_reset` has put its own handlers in
    place. Without this, a pool terminated right after it started, on a busy machine,
    can reach a child whose handlers are still the parent's."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def child_signals_reset() -> None:
    """In a pool's child: SIGTERM ends the process; SIGINT is left to the parent. Then
    the signals held while it was forked (:func:`signals_held`) are taken."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGQUIT"):
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


def forked_pool(
    processes: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Pool:
    """A pool of forked children that end on SIGTERM whenever it reaches them; each runs
    ``initializer(*initargs)`` once its signals are its own."""
    with signals_held():
        return multiprocessing.get_context("fork").Pool(
            processes, initializer=_child_start, initargs=(initializer, initargs)
        )


def _child_start(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    child_signals_reset()
    if initializer is not None:
        initializer(*initargs)
