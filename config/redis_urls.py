"""Redis URLs that carry the platform's socket timeouts.

redis-py reads ``socket_connect_timeout`` and ``socket_timeout`` from the query of a
``redis://`` URL, and both django-rq (the RQ queues) and Django's Redis cache build their
connections from a URL, so the timeouts travel in it. Without them a Redis that accepts the
connection and then never answers would hold a web request for as long as the library's
own default allows (none at all before redis-py 6).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

_TIMEOUT_KEYS = ("socket_connect_timeout", "socket_timeout")


def with_timeouts(url: str, *, connect: float, read: float) -> str:
    """``url`` with the connect and read timeouts set (replacing any already in it)."""
    base, _, old = url.partition("?")  # not urlunsplit: it would turn unix:/// into unix:/
    query = [(k, v) for k, v in parse_qsl(old, keep_blank_values=True) if k not in _TIMEOUT_KEYS]
    query += [("socket_connect_timeout", f"{connect:g}"), ("socket_timeout", f"{read:g}")]
    return f"{base}?{urlencode(query)}"
