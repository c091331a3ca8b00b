"""The cache as an aid the platform can do without (Redis in production).

The cache holds the public rate-limit counters and a few hot look-ups; when it fails —
refusing connections, or hanging until ``REDIS_READ_TIMEOUT`` — the callers here carry on
without it. After a failure this process leaves the cache alone for ``PAUSE_SECONDS``, so
a Redis that hangs costs one read timeout per web process in that time, not one per call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 30.0
_paused_until = 0.0
_now = time.monotonic


class CacheUnavailable(Exception):
    """The cache failed just now or recently; the caller goes on without it."""


def _failed() -> None:
    global _paused_until
    _paused_until = _now() + PAUSE_SECONDS
    logger.warning("cache unavailable, not used for %.0f s", PAUSE_SECONDS, exc_info=True)


def _check() -> None:
    if _now() < _paused_until:
        raise CacheUnavailable()


def resume() -> None:
    """Use the cache again at once (tests; an operator never needs it: the pause is short)."""
    global _paused_until
    _paused_until = 0.0


def cache_get(key: str) -> Any:
    """The cached value, or None when absent or the cache is unavailable."""
    try:
        _check()
        return cache.get(key)
    except CacheUnavailable:
        return None
    except Exception:
        _failed()
        return None


def cache_set(key: str, value: Any, timeout: int) -> None:
    """Store a value; nothing happens when the cache is unavailable."""
    try:
        _check()
        cache.set(key, value, timeout)
    except CacheUnavailable:
        return
    except Exception:
        _failed()


def cache_count(key: str, timeout: int) -> int:
    """Add one to a counter that starts at 1 and expires after ``timeout`` seconds.

    Raises CacheUnavailable when the cache fails or was failing a moment ago.
    """
    _check()
    try:
        if cache.add(key, 1, timeout=timeout):
            return 1
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr: a new window began
        return 1
    except Exception:
        _failed()
        raise CacheUnavailable() from None
