"""Run-time helpers shared by the heavy steps of a draw."""

from __future__ import annotations

import gc
import hashlib
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = ["gc_paused", "sha256"]


def _fastest_sha256() -> Callable[[bytes], _Hash]:
    """CPython's own SHA-256 (``_sha2`` from 3.12, ``_sha256`` before), else hashlib's.

    The digests are the same; for the one-block inputs of a draw (a 32-byte key and an
    id) CPython's own is about 15 % faster than OpenSSL's, whose per-call set-up
    dominates at that size. A draw hashes every entity of the frame once, so this is
    measurable at provincial scale (docs/performance.md)."""
    for module in ("_sha2", "_sha256"):
        try:
            return importlib.import_module(module).sha256  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    return hashlib.sha256


sha256: Callable[[bytes], _Hash] = _fastest_sha256()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of a heavy step.

    A draw allocates millions of short-lived tuples while the frame (millions of
    strings) stays alive, so every full collection re-walks the whole frame; measured
    on 300,000 enterprises this was 40 % of the matching time.  The draw creates no
    reference cycles, so nothing is lost by collecting once afterwards instead.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
