"""Turn a set of result codes (domain.md §2) into the words and the class a notice shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError

from spotcheck.catalogue.models import ResultCode

# Which top-level result stands for a department's results when several items differ:
# the entity's status first, then problems, then the reassuring outcomes.
SEVERITY = ("9", "10", "11", "12", "7", "8", "A", "E", "F", "1")


def _by_code() -> dict[str, ResultCode]:
    return {c.code: c for c in ResultCode.objects.all()}


def _root(code: ResultCode, table: dict[int, ResultCode]) -> ResultCode:
    while code.parent_id is not None:
        code = table[code.parent_id]
    return code


def describe(codes: Iterable[str], table: dict[str, ResultCode] | None = None) -> tuple[str, str]:
    """Return (class, text): the top-level code that leads and e.g. “发现问题待后续处理（…）”."""
    table = table or _by_code()
    by_id = {c.pk: c for c in table.values()}
    chosen = [table[c] for c in dict.fromkeys(codes) if c in table]
    if not chosen:
        return "", ""
    groups: dict[str, list[ResultCode]] = {}
    for code in chosen:
        groups.setdefault(_root(code, by_id).code, [])
        if code.parent_id is not None and not any(
            other.parent_id == code.pk for other in chosen if other.pk != code.pk
        ):
            groups[_root(code, by_id).code].append(code)
    order = sorted(groups, key=lambda c: table[c].sort)
    parts = []
    for root in order:
        leaves = [leaf.label for leaf in sorted(groups[root], key=lambda c: c.sort)]
        label = table[root].label
        parts.append(f"{label}（{'、'.join(leaves)}）" if leaves else label)
    key = next((c for c in SEVERITY if c in groups), order[0])
    return key, "；".join(parts)


def check_combination(codes: Sequence[ResultCode], *, field: str = "result_codes") -> None:
    """Refuse a combination the code table forbids (exclusive codes, parents without a child)."""
    if not codes:
        raise ValidationError({field: "请至少选择一个检查结果"})
    for code in codes:
        if code.exclusive and len(codes) > 1:
            raise ValidationError({field: f"“{code.label}”不能与其他检查结果同时选择"})
        if code.requires_child and not any(c.parent_id == code.pk for c in codes):
            raise ValidationError({field: f"选择“{code.label}”时须同时选择具体情形"})


def result_classes() -> list[tuple[str, str]]:
    """The top-level results a visitor may filter by."""
    return [(c.code, c.label) for c in ResultCode.objects.filter(parent__isnull=True)]
