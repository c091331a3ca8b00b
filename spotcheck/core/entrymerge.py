"""Two inspectors on one item: the version rule of an item entry (一企一表).

Every item entry of a joint record has a version, raised by one at each change.  A write
says which version it was based on (what its author saw).  The rule:

- the same content as the current entry changes nothing (``UNCHANGED``);
- a write based on the current version applies and raises the version (``APPLY``);
- a write that says nothing of its base applies only to an item nobody has entered yet
  or whose current entry is its own author's (an older client);
- any other write is a ``CONFLICT``: the current entry stays, the incoming one is kept
  as a conflicting draft linked to the item, and both are shown to the people concerned.

So no entered text is lost without notice: each one is the current entry, a recorded
conflicting draft, or was replaced by a write whose author had seen it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    APPLY = "applied"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Content:
    """What an inspector entered for one item."""

    findings: str
    codes: tuple[str, ...]
    notes: str

    def normal(self) -> tuple[str, tuple[str, ...], str]:
        return (self.findings.strip(), tuple(sorted(set(self.codes))), self.notes.strip())

    def same_as(self, other: Content) -> bool:
        return self.normal() == other.normal()

    def is_empty(self) -> bool:
        return self.normal() == ("", (), "")


def decide(
    *,
    current: Content,
    current_version: int,
    current_author: int | None,
    incoming: Content,
    base_version: int | None,
    author: int,
) -> Decision:
    """Decide what a write of ``incoming`` by ``author`` does to the current entry."""
    if incoming.same_as(current):
        return Decision.UNCHANGED
    if base_version is None:
        # a write that says nothing of what it saw may fill an empty item or change the
        # writer's own entry; anything else might overwrite a colleague's work unseen
        # (items entered before versions existed are at version 0 too)
        if current.is_empty() or current_author == author:
            return Decision.APPLY
        return Decision.CONFLICT
    if base_version == current_version:
        return Decision.APPLY
    return Decision.CONFLICT


@dataclass(frozen=True)
class Draft:
    """An incoming entry that conflicted: kept beside the item until it is settled."""

    content: Content
    author: int
    base_version: int
    current_version: int


@dataclass
class ItemState:
    """The server's side of one item, as plain data: the rule without a database."""

    content: Content
    version: int = 0
    author: int | None = None

    def write(
        self, incoming: Content, *, base_version: int | None, author: int
    ) -> tuple[Decision, Draft | None]:
        decision = decide(
            current=self.content,
            current_version=self.version,
            current_author=self.author,
            incoming=incoming,
            base_version=base_version,
            author=author,
        )
        if decision is Decision.APPLY:
            self.content = incoming
            self.version += 1
            self.author = author
            return decision, None
        if decision is Decision.CONFLICT:
            return decision, Draft(
                content=incoming,
                author=author,
                base_version=-1 if base_version is None else base_version,
                current_version=self.version,
            )
        return decision, None
