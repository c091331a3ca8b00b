"""The phrase that tells the public which enterprises a task draws from (抽查对象范围).

A department's name usually starts with its region's name (晋州市人民政府办公室 in
晋州市): the region is then said once, not twice.
"""

from __future__ import annotations

from collections.abc import Sequence


def supervised_by(region: str, department: str) -> str:
    """“〈区域〉〈部门〉所监管的”, without repeating a region the department's name starts with."""
    if not department:
        return region
    if region and department.startswith(region):
        return f"{department}所监管的"
    return f"{region}{department}所监管的"


def scope_phrase(region: str, department: str, tags: Sequence[str]) -> str:
    """The whole scope: region, supervising department, then the tags (or 市场主体)."""
    subjects = "、".join(tags) if tags else "市场主体"
    return f"{supervised_by(region, department)}{subjects}"
