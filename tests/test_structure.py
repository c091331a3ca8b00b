"""Promises the code makes about its own structure (docs/architecture.md).

The layer order itself is checked by ``lint-imports`` (pyproject.toml) in ``make test``;
these tests keep the rules that a layers contract cannot see: no circle between two
files, short functions, one place for the roles, and a reason beside every import made
inside a function.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "spotcheck"
LONGEST_FUNCTION = 60
# The draw engine's algorithms are written to follow the published specification step by
# step (docs/draw-spec.md); they are exempt from the length rule.
LENGTH_EXEMPT = ("spotcheck/core/draw/",)
# The only modules that may spell a role out.
ROLE_HOMES = ("spotcheck/core/roles.py", "spotcheck/access/")
# Stored values that can only mean a role ("inspector" and "auditor" also name fields).
ROLE_VALUES = {"platform_admin", "lead_admin", "dept_admin"}


def _is_test_support(rel: str) -> bool:
    parts = rel.split("/")
    return (
        "tests" in parts
        or "migrations" in parts
        or parts[-1] == "conftest.py"
        or rel.startswith("spotcheck/testing/")
    )


def _production_files() -> Iterator[tuple[str, ast.Module, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not _is_test_support(rel):
            source = path.read_text(encoding="utf-8")
            yield rel, ast.parse(source), source


def _production_module(name: str) -> bool:
    parts = name.split(".")
    return not ({"tests", "migrations", "conftest"} & set(parts)) and parts[:2] != [
        "spotcheck",
        "testing",
    ]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _import_edges() -> dict[str, set[str]]:
    graph = grimp.build_graph("spotcheck", exclude_type_checking_imports=True)
    modules = {m for m in graph.modules if _production_module(m)}
    return {
        m: {o for o in graph.find_modules_directly_imported_by(m) if o in modules} for m in modules
    }


def test_the_import_graph_is_read() -> None:
    # guards the tests below: an empty graph would have no circle
    edges = _import_edges()
    assert "spotcheck.campaigns.selectors" in edges["spotcheck.workflow.task_pages"]


def test_no_two_files_import_each_other_even_through_others() -> None:
    assert _cycles(_import_edges()) == []


def test_no_two_contexts_import_each_other_even_through_others() -> None:
    by_context: dict[str, set[str]] = {}
    for module, imported in _import_edges().items():
        context = ".".join(module.split(".")[:2])
        others = {".".join(o.split(".")[:2]) for o in imported}
        by_context.setdefault(context, set()).update(others - {context})
    assert _cycles(by_context) == []


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_function_is_longer_than_sixty_lines_outside_the_draw_engine() -> None:
    long = [
        f"{rel}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for rel, tree, _source in _production_files()
        if not rel.startswith(LENGTH_EXEMPT)
        for node in _functions(tree)
        if node.end_lineno and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert long == []


def _is_role_attribute(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "role"


def _is_role_member(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
        and node.attr.isupper()
    )


def _role_spelled_out(node: ast.AST) -> str:
    """Return what is wrong with this node, or "" (see test below)."""
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        if any(_is_role_attribute(s) or _is_role_member(s) for s in sides):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Eq | ast.NotEq):
                    return "a role compared by value"
                if isinstance(op, ast.In | ast.NotIn) and not isinstance(
                    right, ast.Name | ast.Attribute | ast.Call
                ):
                    return "a role set spelled out in place"
    if isinstance(node, ast.Tuple | ast.List | ast.Set) and any(
        _is_role_member(e) for e in node.elts
    ):
        return "a private set of roles"
    if isinstance(node, ast.Constant) and node.value in ROLE_VALUES:
        return "a role's stored value"
    return ""


def test_no_role_is_spelled_out_outside_the_access_rules() -> None:
    """Views, services and selectors call a gate or name a role set of spotcheck.access."""
    found = [
        f"{rel}:{node.lineno} {problem}"
        for rel, tree, _source in _production_files()
        if not rel.startswith(ROLE_HOMES)
        for node in ast.walk(tree)
        if (problem := _role_spelled_out(node))
    ]
    assert found == []


def test_the_role_rule_sees_a_spelled_out_role() -> None:
    # guards the test above against a rule that can never fail
    bad = ast.parse(
        "a = user.role == Role.DEPT_ADMIN\n"
        "b = user.role in (Role.LEAD_ADMIN, Role.PLATFORM_ADMIN)\n"
        "c = 'platform_admin'\n"
    )
    good = ast.parse("d = user.role in ORGANISER_ROLES\ne = access_tasks_for_organising(user)\n")
    assert len([n for n in ast.walk(bad) if _role_spelled_out(n)]) == 4
    assert [n for n in ast.walk(good) if _role_spelled_out(n)] == []


def _comment_lines(source: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {t.start[0] for t in tokens if t.type == tokenize.COMMENT}


def test_every_import_inside_a_function_says_why() -> None:
    """An import made inside a function carries a comment on its line or the line above."""
    silent = []
    for rel, tree, source in _production_files():
        comments = _comment_lines(source)
        for function in _functions(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and not (
                    {node.lineno, node.lineno - 1} & comments
                ):
                    silent.append(f"{rel}:{node.lineno}")
    assert silent == []


def test_no_template_names_a_role() -> None:
    """Templates read ``can`` (spotcheck.access.context_processors), never a role's value."""
    spelled = re.compile(r"\.role\s*(?:==|!=|in)\s*[\"']")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled.search(line)
    ]
    assert found == []
