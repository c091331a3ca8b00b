"""The map is true: the names that docs/architecture.md and docs/glossary.md give exist."""

from __future__ import annotations

import importlib
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _resolves(dotted: str) -> bool:
    """``dotted`` names a module of spotcheck, or an attribute inside one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module("spotcheck." + ".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                found = getattr(found, name)
        except AttributeError:
            return False
        return True
    return False


PACKAGES = {p.name for p in (ROOT / "spotcheck").iterdir() if not p.name.startswith("_")}


def _dotted_names(text: str) -> set[str]:
    """Dotted names that start with a package of spotcheck (event types, files and
    Django's own names are left out: they are not modules of ours)."""
    return {
        name
        for name in re.findall(r"`([a-z_]+(?:\.[A-Za-z_0-9]+)+)`", text)
        if name.split(".")[0] in PACKAGES and not name.endswith((".py", ".md", ".tsv"))
    }


def test_the_glossary_gives_each_term_once() -> None:
    terms = Counter(
        line.split("|")[1].strip()
        for line in GLOSSARY.splitlines()
        if line.startswith("| ") and not line.startswith("| 中文")
    )
    assert [term for term, count in terms.items() if count > 1] == []


@pytest.mark.parametrize("page", [GLOSSARY, ARCHITECTURE], ids=["glossary", "architecture"])
def test_every_module_and_name_the_page_gives_exists(page: str) -> None:
    names = _dotted_names(page)
    assert names  # guards the pattern: a page without a name would pass
    assert sorted(n for n in names if not _resolves(n)) == []


def test_every_file_the_architecture_page_gives_exists() -> None:
    paths = set(re.findall(r"`((?:spotcheck|tools|docs|config)/[\w/.-]+)`", ARCHITECTURE))
    assert paths
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


def test_every_url_name_the_glossary_gives_exists() -> None:
    missing = []
    for name in set(re.findall(r"`([a-z_]+:[a-z_]+)`", GLOSSARY)):
        try:
            reverse(name)
        except NoReverseMatch as exc:
            if "with no arguments" not in str(exc):  # a name that needs arguments exists
                missing.append(name)
    assert missing == []


def test_the_architecture_page_draws_the_layers_the_contract_checks() -> None:
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(
        c["layers"] for c in contract["tool"]["importlinter"]["contracts"] if c["id"] == "layers"
    )
    checked = [layer.replace("spotcheck.", "") for layer in layers]
    diagram = ARCHITECTURE.split("## The layers", 1)[1].split("```")[1]
    drawn = [line[:20].strip() for line in diagram.strip().splitlines()]
    assert drawn == checked
