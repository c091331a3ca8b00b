"""The rules of a check result: the hierarchical, multi-select result codes (domain.md §2).

A result is a set of codes of the national table.  The rules:

- a chosen code must be one of the item's options;
- choosing a child means choosing its parents too (违反工商行政管理相关规定 is a
  发现问题待后续处理), so parents are added, never asked for twice;
- an ``exclusive`` code (未发现问题) stands alone: it excludes every problem code;
- a ``terminal`` code (注销, 被吊销 …, the entity's status) stands alone as well;
- a code that ``requires_child`` (发现问题待后续处理, 违反工商行政管理相关规定) needs at
  least one of its children: the sub-reason;
- at least one code.

``ResultRules.check`` returns the completed set in table order, or raises
``ResultError`` whose messages are shown to the inspector.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spotcheck.core.errors import DomainError


@dataclass(frozen=True)
class Code:
    """One row of the result code table."""

    code: str
    label: str
    parent: str | None = None
    exclusive: bool = False
    requires_child: bool = False
    terminal: bool = False


class ResultError(DomainError):
    """The chosen result breaks a rule; ``messages`` lists every broken rule in Chinese."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = list(messages)


class ResultRules:
    """The result code table and the checks of a chosen result."""

    def __init__(self, codes: Iterable[Code]) -> None:
        self._codes: dict[str, Code] = {}
        for code in codes:
            self._codes[code.code] = code
        self._order = {code: n for n, code in enumerate(self._codes)}
        for code in self._codes.values():
            if code.parent is not None and code.parent not in self._codes:
                raise ValueError(f"result code {code.code} has an unknown parent {code.parent}")

    def label(self, code: str) -> str:
        return self._codes[code].label

    def ancestors(self, code: str) -> list[str]:
        """Return the parents of ``code``, nearest first."""
        chain: list[str] = []
        parent = self._codes[code].parent
        while parent is not None:
            chain.append(parent)
            parent = self._codes[parent].parent
        return chain

    def children(self, code: str) -> list[str]:
        return [c.code for c in self._codes.values() if c.parent == code]

    def check(self, chosen: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
        """Return the complete result (parents added, table order), or raise ``ResultError``."""
        picked = {c.strip() for c in chosen if c.strip()}
        options = set(allowed)
        if not picked:
            raise ResultError(["请选择检查结果"])
        unknown = sorted(c for c in picked if c not in self._codes or c not in options)
        if unknown:
            raise ResultError([f"检查结果“{c}”不是本事项的可选结果" for c in unknown])
        full = set(picked)
        for code in picked:
            full.update(self.ancestors(code))
        errors: list[str] = []
        for code in sorted(full, key=self._order.__getitem__):
            entry = self._codes[code]
            if entry.exclusive and len(full) > 1:
                errors.append(f"“{entry.label}”不能与其他检查结果同时选择")
            elif entry.terminal and len(full) > 1:
                errors.append(f"“{entry.label}”是主体状态类结果，只能单独选择")
            if entry.requires_child and not full.intersection(self.children(code)):
                errors.append(f"选择“{entry.label}”时，须选择具体的问题类别")
        if errors:
            raise ResultError(errors)
        return tuple(sorted(full, key=self._order.__getitem__))
