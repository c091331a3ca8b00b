from __future__ import annotations

from spotcheck.core.scope import scope_phrase, supervised_by


def test_a_department_named_after_its_region_says_the_region_once() -> None:
    # given a department whose name starts with the region's
    # when the phrase is built
    phrase = supervised_by("晋州市", "晋州市人民政府办公室")
    # then the region is not doubled
    assert phrase == "晋州市人民政府办公室所监管的"


def test_a_department_not_named_after_the_region_keeps_the_region_first() -> None:
    # given a department of the province supervising in a county
    # when the phrase is built
    phrase = supervised_by("晋州市", "河北省药品监督管理局")
    # then the region comes first
    assert phrase == "晋州市河北省药品监督管理局所监管的"


def test_a_scope_without_department_names_the_region_and_the_tags() -> None:
    # given no supervising department and two tags
    # when the scope is built
    phrase = scope_phrase("晋州市", "", ["食品经营", "特种设备使用单位"])
    # then it reads region then tags
    assert phrase == "晋州市食品经营、特种设备使用单位"


def test_a_scope_without_tags_speaks_of_market_entities() -> None:
    # given a department named after its region and no tag
    # when the scope is built
    phrase = scope_phrase("晋州市", "晋州市人民政府办公室", [])
    # then
    assert phrase == "晋州市人民政府办公室所监管的市场主体"
