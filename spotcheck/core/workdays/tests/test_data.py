"""The bundled data files: known facts, internal consistency, and strict loading."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from spotcheck.core.workdays import (
    CalendarDataError,
    WorkCalendar,
    YearNotConfirmedError,
    default_calendar,
    load_bundled,
    load_directory,
    load_year_file,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PACKAGE_DIR / "data"
BUNDLED_YEARS = range(2020, 2027)

# Facts read off the notices themselves, one or more per year, chosen where a data-entry
# slip is most likely: 调休 weekends, merged festivals, and the 2020 COVID extension.
KNOWN_FACTS = [
    # (day, is a working day, holiday name)
    (date(2020, 1, 19), True, None),  # 周日调休上班
    (date(2020, 1, 31), False, "春节"),  # 周五：原定上班，国办发明电〔2020〕1号延长假期
    (date(2020, 2, 1), False, "春节"),  # 周六：原定调休上班，因延长假期取消
    (date(2020, 2, 3), True, None),  # 延长后首个工作日
    (date(2020, 10, 8), False, "国庆节、中秋节"),
    (date(2021, 2, 20), True, None),
    (date(2021, 9, 18), True, None),
    (date(2022, 4, 2), True, None),  # 清明调休周六
    (date(2022, 10, 9), True, None),
    (date(2022, 12, 31), False, "元旦"),  # 由2023年通知规定
    (date(2023, 1, 2), False, "元旦"),
    (date(2023, 4, 5), False, "清明节"),
    (date(2023, 9, 29), False, "中秋节、国庆节"),
    (date(2023, 10, 8), True, None),
    (date(2024, 2, 9), True, None),  # 除夕仅“鼓励”休息，不是法定假日
    (date(2024, 2, 18), True, None),
    (date(2024, 6, 10), False, "端午节"),
    (date(2024, 10, 12), True, None),
    (date(2025, 1, 1), False, "元旦"),
    (date(2025, 1, 28), False, "春节"),  # 自2025年起除夕为法定假日
    (date(2025, 4, 27), True, None),
    (date(2025, 10, 6), False, "国庆节、中秋节"),
    (date(2025, 10, 11), True, None),
    (date(2026, 1, 4), True, None),
    (date(2026, 2, 14), True, None),
    (date(2026, 2, 28), True, None),
    (date(2026, 5, 9), True, None),
    (date(2026, 9, 20), True, None),
    (date(2026, 10, 10), True, None),
]

# Working days per year.  Computed from these files and found equal, day by day, to
# chinesecalendar 1.11.0 (is_workday) for all 2557 days of 2020-2026; pinned here so
# that an accidental edit to a data file shows up as a failing count.
WORKING_DAYS_PER_YEAR = {
    2020: 249,
    2021: 250,
    2022: 249,
    2023: 249,
    2024: 251,
    2025: 248,
    2026: 248,
}

SOURCE_NOTICES = {
    2020: "国办发明电〔2019〕16号、国办发明电〔2020〕1号",
    2021: "国办发明电〔2020〕27号",
    2022: "国办发明电〔2021〕11号",
    2023: "国办发明电〔2022〕16号",
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
}


@pytest.mark.parametrize(
    ("day", "working", "name"), KNOWN_FACTS, ids=[str(f[0]) for f in KNOWN_FACTS]
)
def test_data_files_agree_with_known_facts(
    cal: WorkCalendar, day: date, working: bool, name: str | None
) -> None:
    assert cal.is_working_day(day) is working
    assert cal.holiday_name(day) == name


@pytest.mark.parametrize(("year", "expected"), WORKING_DAYS_PER_YEAR.items())
def test_working_day_totals_per_year_are_pinned(
    cal: WorkCalendar, year: int, expected: int
) -> None:
    assert cal.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == expected


def test_every_year_cites_its_notices() -> None:
    assert {a.year: a.source_notice for a in load_bundled()} == SOURCE_NOTICES


def test_bundled_years_are_contiguous_and_named_after_their_year() -> None:
    names = sorted(p.name for p in DATA_DIR.glob("*.toml"))
    assert names == [f"cn-{year}.toml" for year in BUNDLED_YEARS]
    assert [a.year for a in load_bundled()] == list(BUNDLED_YEARS)


def test_data_ships_inside_the_package_as_resources() -> None:
    # Read through importlib.resources, as load_bundled does, not via __file__.
    data = files("spotcheck.core.workdays") / "data"
    assert {entry.name for entry in data.iterdir() if entry.name.endswith(".toml")} == {
        f"cn-{year}.toml" for year in BUNDLED_YEARS
    }


def test_default_calendar_is_built_once(cal: WorkCalendar) -> None:
    assert default_calendar() is cal


# --- the clauses quoted in each file must agree with the dates beside them ---------------

_MENTION = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（([^）]*)）)?")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日])")
_WEEKDAY_NUMBER = {ch: i for i, ch in enumerate("一二三四五六日")}


def _mentions(text: str, year: int) -> list[tuple[date, int | None]]:
    """Return each date written in ``text`` with the weekday stated beside it, if any."""
    found: list[tuple[date, int | None]] = []
    month = 0
    for match in _MENTION.finditer(text):
        year = int(match.group(1) or year)
        month = int(match.group(2) or month)
        weekday = _WEEKDAY.search(match.group(4) or "")
        found.append(
            (
                date(year, month, int(match.group(3))),
                _WEEKDAY_NUMBER[weekday.group(1)] if weekday else None,
            )
        )
    return found


def _makeups_in(clause: str, year: int) -> set[date]:
    """Return the dates the clause declares as 调休上班 ("X日（周六）上班。")."""
    sentences = [s for s in clause.split("。") if s.endswith("上班") and "正常上班" not in s]
    return {d for sentence in sentences for d, _ in _mentions(sentence, year)}


def _raw_files() -> list[tuple[str, dict[str, Any]]]:
    """Return each bundled file's name and its parsed, unvalidated TOML."""
    return [(p.name, tomllib.loads(p.read_text("utf-8"))) for p in sorted(DATA_DIR.glob("*.toml"))]


RAW_FILES = _raw_files()


@pytest.mark.parametrize(("name", "raw"), RAW_FILES, ids=[name for name, _ in RAW_FILES])
def test_weekdays_written_in_clauses_match_the_dates(name: str, raw: dict[str, Any]) -> None:
    checked = 0
    for block in raw["blocks"]:
        for key in ("clause", "amended_clause"):
            for day, weekday in _mentions(block.get(key, ""), raw["year"]):
                if weekday is not None:
                    assert day.weekday() == weekday, f"{name} {block['name']}: {day}"
                    checked += 1
    # Every year's notice names at least one weekday, so the parser did find something.
    assert checked


@pytest.mark.parametrize(("name", "raw"), RAW_FILES, ids=[name for name, _ in RAW_FILES])
def test_block_dates_match_their_clauses(name: str, raw: dict[str, Any]) -> None:
    for block in raw["blocks"]:
        where = f"{name} {block['name']}"
        first, last = block["first"], block["last"]
        span = (last - first).days + 1
        days_off_sentence = block["clause"].split("。")[0]
        off_dates = [d for d, _ in _mentions(days_off_sentence, raw["year"])]
        assert off_dates[0] == first, where
        total = re.search(r"共(\d+)天", days_off_sentence)
        if "amended_by" in block:
            # The amending notice sets the new end; dates it swallowed are no longer 上班.
            assert last in [d for d, _ in _mentions(block["amended_clause"], raw["year"])], where
        else:
            assert off_dates[-1] == last, where
            if total:
                assert int(total.group(1)) == span, where
        stated = _makeups_in(block["clause"], raw["year"])
        swallowed = {d for d in stated if first <= d <= last}
        assert set(block.get("makeup_workdays", [])) == stated - swallowed, where


def test_2020_extension_cancelled_the_february_1_makeup_day() -> None:
    raw = tomllib.loads((DATA_DIR / "cn-2020.toml").read_text("utf-8"))
    spring = next(b for b in raw["blocks"] if b["name"] == "春节")
    assert spring["amended_by"] == "国办发明电〔2020〕1号"
    assert date(2020, 2, 1) in _makeups_in(spring["clause"], 2020)
    assert date(2020, 2, 1) not in spring["makeup_workdays"]


# --- loading: missing years and malformed files ------------------------------------------

GOOD = """\
schema = 1
year = 2030

[[notices]]
title = "国务院办公厅关于2030年部分节假日安排的通知"
number = "国办发明电〔2029〕1号"
published = 2029-11-01

[[blocks]]
name = "劳动节"
first = 2030-05-01
last = 2030-05-05
days = 5
makeup_workdays = [2030-04-27]
clause = "四、劳动节：5月1日至5日放假调休，共5天。4月27日（星期六）上班。"
"""


def _write(folder: Path, year: int, text: str) -> Path:
    """Write ``text`` as ``cn-<year>.toml`` in ``folder`` and return its path."""
    path = folder / f"cn-{year}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_synthetic_file_loads(tmp_path: Path) -> None:
    arrangement = load_year_file(_write(tmp_path, 2030, GOOD))
    assert arrangement.year == 2030
    assert arrangement.makeup_workdays == {date(2030, 4, 27)}
    assert len(arrangement.holidays) == 5
    assert arrangement.names[date(2030, 5, 3)] == "劳动节"
    assert arrangement.source_notice == "国办发明电〔2029〕1号"


def test_missing_year_file_raises_year_not_confirmed(tmp_path: Path) -> None:
    _write(tmp_path, 2030, GOOD)
    with pytest.raises(YearNotConfirmedError) as info:
        load_directory(tmp_path, years=[2030, 2031])
    assert info.value.year == 2031
    assert str(info.value) == "2031年的节假日安排尚未确认"


def test_missing_bundled_year_raises_year_not_confirmed() -> None:
    with pytest.raises(YearNotConfirmedError) as info:
        load_bundled(years=[2026, 2027])
    assert info.value.year == 2027


def test_calendar_with_a_gap_refuses_the_missing_year() -> None:
    cal = WorkCalendar(load_bundled(years=[2025, 2026]))
    assert cal.confirmed_years == {2025, 2026}
    assert cal.add_working_days(date(2025, 1, 3), 1) == date(2025, 1, 6)
    with pytest.raises(YearNotConfirmedError) as info:
        cal.working_days_between(date(2024, 12, 1), date(2025, 1, 6))
    assert info.value.year == 2024


def test_load_year_file_on_a_missing_path_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_year_file(tmp_path / "cn-2030.toml")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("days = 5", "days = 4", "共 5 天"),
        ('name = "劳动节"', 'name = "五一节"', "不在"),
        ("schema = 1", "schema = 2", "schema"),
        ("clause =", "caluse =", "未知字段"),
        ("first = 2030-05-01", "first = 2030-05-01T00:00:00", "应为日期"),
        ("last = 2030-05-05", "last = 2030-04-30", "早于"),
        ("[2030-04-27]", "[2030-04-29]", "不是周末"),
        ("[2030-04-27]", "[2030-04-27, 2030-04-27]", "重复"),
        ("[2030-04-27]", "[2030-05-04]", "既是"),
        ("国办发明电〔2029〕1号", "国办发〔2029〕一号", "文号"),
        ("published = 2029-11-01", "published = 2031-01-05", "晚于"),
        ("year = 2030", "year = 2031", "不属于该年"),
        ("days = 5\n", 'days = 5\namended_by = "国办发明电〔2030〕9号"\n', "amended_by"),
        ("schema = 1", "schema = 1\n[oops", "无法解析"),
    ],
)
def test_malformed_files_are_rejected(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, 2030, GOOD.replace(old, new, 1))
    with pytest.raises(CalendarDataError, match=re.escape(fragment)):
        load_year_file(path)


def test_overlapping_blocks_are_rejected(tmp_path: Path) -> None:
    overlap = GOOD + GOOD[GOOD.index("[[blocks]]") :].replace("劳动节", "端午节", 1)
    with pytest.raises(CalendarDataError, match="重叠"):
        load_year_file(_write(tmp_path, 2030, overlap))


def test_year_inside_file_must_match_file_name(tmp_path: Path) -> None:
    _write(tmp_path, 2031, GOOD)
    with pytest.raises(CalendarDataError, match="文件名"):
        load_directory(tmp_path)


# --- the package stays framework-free -----------------------------------------------------


@pytest.mark.parametrize("source", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_package_imports_only_the_standard_library_and_itself(source: Path) -> None:
    allowed_outside_tests = set(sys.stdlib_module_names) | {"spotcheck"}
    allowed = allowed_outside_tests | {"pytest", "hypothesis"}
    if "tests" not in source.relative_to(PACKAGE_DIR).parts:
        allowed = allowed_outside_tests
    tree = ast.parse(source.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots = [node.module.split(".")[0]]
        else:
            continue
        assert set(roots) <= allowed, f"{source.name} imports {roots}"
