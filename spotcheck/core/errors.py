"""Domain errors shared by the framework-free core."""

from __future__ import annotations


class DomainError(Exception):
    """Signal that a rule of the domain was broken; the message is shown to users."""
