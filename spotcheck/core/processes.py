"""Worker processes forked for one piece of work (the draw's hashing, an import's checks).

A forked child inherits its parent's signal handlers. A background-task worker that is
running a task answers SIGTERM with a graceful shutdown that waits for the task to end;
in a pool's child that handler would keep the child alive when the pool terminates it
(``multiprocessing.Pool`` ends its children with SIGTERM, also when work stops early on an
error), and the parent would wait for that child for ever. Each pool therefore starts its
children with :func:`child_signals_reset`.
"""

from __future__ import annotations

import signal


def child_signals_reset() -> None:
    """In a pool's child: SIGTERM ends the process; SIGINT is left to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGQUIT"):
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
