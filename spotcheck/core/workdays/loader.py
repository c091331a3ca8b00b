"""Load yearly holiday arrangements from the TOML files shipped with this package.

Each year lives in ``data/cn-YYYY.toml`` and transcribes one State Council notice
(plus any later notice amending it, such as the 2020 Spring Festival extension).
The files are checked strictly on load, because a typo here silently moves legal
deadlines: unknown keys, wrong types, overlapping blocks, a ``days`` count that
does not match the dates, or an unknown festival name all raise `CalendarDataError`.
The layout is documented in ``README.md`` next to this module.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from spotcheck.core.workdays.calendar import (
    WorkCalendar,
    YearArrangement,
    YearNotConfirmedError,
)

__all__ = [
    "FESTIVALS",
    "SCHEMA_VERSION",
    "CalendarDataError",
    "default_calendar",
    "load_bundled",
    "load_directory",
    "load_year_file",
]

SCHEMA_VERSION = 1

# The seven public holidays of 《全国年节及纪念日放假办法》 that the yearly notices arrange.
FESTIVALS = frozenset({"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"})

_PACKAGE = __name__.rpartition(".")[0]
_FILE_RE = re.compile(r"^cn-(\d{4})\.toml$")
_NOTICE_NUMBER_RE = re.compile(r"^国办发(?:明电)?〔\d{4}〕\d+号$")

_TOP_KEYS = frozenset({"schema", "year", "notices", "blocks"})
_NOTICE_KEYS = frozenset({"title", "number", "published", "signed"})
_BLOCK_KEYS = frozenset(
    {
        "name",
        "first",
        "last",
        "days",
        "makeup_workdays",
        "clause",
        "amended_by",
        "amended_clause",
        "note",
    }
)

# Anything naming a file or folder: a filesystem path or an importlib.resources Traversable.
Source = str | os.PathLike[str] | Traversable


class CalendarDataError(ValueError):
    """Signal that a holiday data file is malformed or contradicts itself."""


def _traversable(path: Source) -> Traversable:
    """Return ``path`` as a Traversable so files and package resources read alike."""
    if isinstance(path, str | os.PathLike):
        return Path(path)
    return path


class _Reader:
    """Pull typed values out of parsed TOML, naming the offending place on error."""

    def __init__(self, source: str) -> None:
        """Remember ``source`` (the file name) for error messages."""
        self.source = source

    def fail(self, where: str, problem: str) -> CalendarDataError:
        """Build an error that names the file and the place inside it."""
        return CalendarDataError(f"{self.source}: {where}: {problem}")

    def check_keys(
        self, table: Mapping[str, Any], where: str, allowed: frozenset[str], required: set[str]
    ) -> None:
        """Reject unknown keys (typos) and missing required ones."""
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(where, f"未知字段 {unknown}")
        missing = sorted(required - set(table))
        if missing:
            raise self.fail(where, f"缺少字段 {missing}")

    def text(self, table: Mapping[str, Any], key: str, where: str) -> str:
        """Return a non-blank string value."""
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{key} 应为非空字符串")
        return value

    def integer(self, table: Mapping[str, Any], key: str, where: str) -> int:
        """Return an integer value (booleans, which subclass int, are refused)."""
        value = table[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, f"{key} 应为整数")
        return value

    def day(self, value: object, where: str, key: str) -> date:
        """Return a TOML local date; a date-time would carry a meaningless clock time."""
        if not isinstance(value, date) or isinstance(value, datetime):
            raise self.fail(where, f"{key} 应为日期（如 2026-01-01），当前为 {value!r}")
        return value

    def tables(self, table: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        """Return a non-empty array of tables."""
        value = table.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(where, f"{key} 应为非空表数组")
        if not all(isinstance(item, dict) for item in value):
            raise self.fail(where, f"{key} 的每一项都应为表")
        return value


def _parse(raw: Mapping[str, Any], source: str) -> YearArrangement:
    """Validate one parsed file and turn it into a `YearArrangement`."""
    r = _Reader(source)
    r.check_keys(raw, "顶层", _TOP_KEYS, {"schema", "year", "notices", "blocks"})
    if r.integer(raw, "schema", "顶层") != SCHEMA_VERSION:
        raise r.fail("顶层", f"schema 应为 {SCHEMA_VERSION}")
    year = r.integer(raw, "year", "顶层")
    numbers = _notice_numbers(r, raw, year)
    holidays: dict[date, str] = {}
    makeups: set[date] = set()
    for i, block in enumerate(r.tables(raw, "blocks", "顶层"), start=1):
        _add_block(r, block, f"第{i}个 blocks", numbers, holidays, makeups)
    try:
        return YearArrangement(
            year=year,
            holidays=frozenset(holidays),
            makeup_workdays=frozenset(makeups),
            source_notice="、".join(numbers),
            names=holidays,
        )
    except ValueError as exc:
        raise r.fail("整体", str(exc)) from exc


def _notice_numbers(r: _Reader, raw: Mapping[str, Any], year: int) -> list[str]:
    """Check the file's notices; return their numbers (文号) in file order."""
    numbers: list[str] = []
    for i, notice in enumerate(r.tables(raw, "notices", "顶层"), start=1):
        where = f"第{i}个 notices"
        r.check_keys(notice, where, _NOTICE_KEYS, {"title", "number", "published"})
        r.text(notice, "title", where)
        number = r.text(notice, "number", where)
        if not _NOTICE_NUMBER_RE.match(number):
            raise r.fail(where, f"文号 {number!r} 格式不正确")
        if number in numbers:
            raise r.fail(where, f"文号 {number} 重复")
        numbers.append(number)
        published = r.day(notice["published"], where, "published")
        if "signed" in notice and r.day(notice["signed"], where, "signed") > published:
            raise r.fail(where, "签发日期晚于发布日期")
        if published.year > year:
            raise r.fail(where, f"通知发布于{published.year}年，晚于所安排的{year}年")
    return numbers


def _add_block(
    r: _Reader,
    block: Mapping[str, Any],
    where: str,
    numbers: list[str],
    holidays: dict[date, str],
    makeups: set[date],
) -> None:
    """Check one holiday block and add its days off and its make-up workdays."""
    r.check_keys(block, where, _BLOCK_KEYS, {"name", "first", "last", "clause"})
    name = r.text(block, "name", where)
    unknown = [part for part in name.split("、") if part not in FESTIVALS]
    if unknown:
        raise r.fail(where, f"节日名称 {unknown} 不在《全国年节及纪念日放假办法》之列")
    where = f"{where}（{name}）"
    first = r.day(block["first"], where, "first")
    last = r.day(block["last"], where, "last")
    if last < first:
        raise r.fail(where, "last 早于 first")
    span = (last - first).days + 1
    if "days" in block and r.integer(block, "days", where) != span:
        raise r.fail(where, f"days 为 {block['days']}，但 {first} 至 {last} 共 {span} 天")
    _check_block_sources(r, block, where, numbers)
    for offset in range(span):
        d = first + timedelta(days=offset)
        if d in holidays:
            raise r.fail(where, f"{d} 与“{holidays[d]}”重叠")
        holidays[d] = name
    raw_makeups = block.get("makeup_workdays", [])
    if not isinstance(raw_makeups, list):
        raise r.fail(where, "makeup_workdays 应为日期数组")
    for value in raw_makeups:
        d = r.day(value, where, "makeup_workdays")
        if d in makeups:
            raise r.fail(where, f"调休上班日 {d} 重复")
        makeups.add(d)


def _check_block_sources(
    r: _Reader, block: Mapping[str, Any], where: str, numbers: list[str]
) -> None:
    """Check a block's clause, note and amendment: an amendment names one of the notices."""
    r.text(block, "clause", where)
    for key in ("note", "amended_clause"):
        if key in block:
            r.text(block, key, where)
    if "amended_by" in block:
        if r.text(block, "amended_by", where) not in numbers:
            raise r.fail(where, "amended_by 必须是本文件 notices 中的文号")
    elif "amended_clause" in block:
        raise r.fail(where, "有 amended_clause 却没有 amended_by")


def load_year_file(path: Source) -> YearArrangement:
    """Read and validate one ``cn-YYYY.toml`` file.

    A missing file raises `FileNotFoundError` here; asking for a *year* that has
    no file (`load_directory`, `load_bundled`) raises `YearNotConfirmedError`.
    """
    resource = _traversable(path)
    try:
        raw = tomllib.loads(resource.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{resource.name}: 无法解析：{exc}"
        raise CalendarDataError(msg) from exc
    return _parse(raw, resource.name)


def load_directory(directory: Source, years: Iterable[int] | None = None) -> list[YearArrangement]:
    """Load the ``cn-YYYY.toml`` files in ``directory``, sorted by year.

    With ``years`` given, load exactly those years and raise `YearNotConfirmedError`
    for the first (smallest) one that has no file; otherwise load every file found.
    """
    folder = _traversable(directory)
    available: dict[int, Traversable] = {}
    for entry in folder.iterdir():
        match = _FILE_RE.match(entry.name)
        if match and entry.is_file():
            available[int(match.group(1))] = entry
    wanted = sorted(available) if years is None else sorted(set(years))
    arrangements = []
    for year in wanted:
        if year not in available:
            raise YearNotConfirmedError(year)
        arrangement = load_year_file(available[year])
        if arrangement.year != year:
            msg = f"{available[year].name}: 文件内 year 为 {arrangement.year}，与文件名不符"
            raise CalendarDataError(msg)
        arrangements.append(arrangement)
    return arrangements


def load_bundled(years: Iterable[int] | None = None) -> list[YearArrangement]:
    """Load the arrangements shipped in this package's ``data/`` folder.

    Read through `importlib.resources`, so it works from a wheel or a zip as well as
    from a source checkout.
    """
    return load_directory(files(_PACKAGE) / "data", years)


@functools.cache
def default_calendar() -> WorkCalendar:
    """Return the calendar of every bundled year, built once and shared.

    Sharing is safe because `WorkCalendar` is immutable after construction.
    """
    return WorkCalendar(load_bundled())
