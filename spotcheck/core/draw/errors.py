"""Errors raised by the DRAW-v1 engine; every message is shown to officials as is."""

from __future__ import annotations

from spotcheck.core.errors import DomainError

__all__ = [
    "AnnouncementError",
    "BundleError",
    "DrawError",
    "MalformedInputError",
    "RevealMismatchError",
]


class DrawError(DomainError):
    """Signal that a draw cannot proceed as asked."""


class MalformedInputError(DrawError):
    """Signal a row or field that breaks the canonical form of DRAW-v1."""


class AnnouncementError(DrawError):
    """Signal an announcement that does not meet DRAW-v1 (too few officials, bad ratio …)."""


class RevealMismatchError(DrawError):
    """Signal a reveal that does not open its commitment, or a missing reveal."""


class BundleError(DrawError):
    """Signal a bundle directory that is missing a file or cannot be read."""
