"""Bad input through the create and edit pages: a Chinese error next to the field, nothing saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.testing.personas import DING, Catalogue, Departments, Regions

ENTITY_CREATE = reverse("directory:entity_create")
INSPECTOR_CREATE = reverse("directory:inspector_create")
PILOT_CODE = "91350100M0001TGQXM"  # a legal early pilot code that fails the check character
PILOT_CODE_ERROR = (
    "统一社会信用代码校验位不符（应为1，实为M）；如确为早期试点代码，可填写理由后强制保存"
)

SignIn = Callable[[str], Client]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    """Return a 居民身份证号码 with a correct GB 11643 check character."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def _wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def _entity_post(regions: Regions, departments: Departments, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": make_uscc(9001),
        "uscc_override_reason": "",
        "reg_no": "",
        "name": "晋州市新建食品有限公司",
        "entity_type": "enterprise",
        "legal_rep_name": "赵六",
        "legal_rep_id_type": "resident_id",
        "legal_rep_id_number": "",
        "address": "河北省石家庄市晋州市新建路8号",
        "region": regions.county.pk,
        "reg_authority_name": "晋州市市场监督管理局",
        "established_on": "2021-06-01",
        "reg_status": "active",
        "risk_class": "",
        "risk_source": "",
        "risk_as_of": "",
        "supervising_departments": [departments.market.pk],
    }
    data.update(changes)
    return data


def _inspector_post(departments: Departments, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "孙检查",
        "gender": "female",
        "department": departments.market.pk,
        "category": "civil_servant",
        "certificate_no": "JZSC0099",
        "certificate_authority": "晋州市人民政府",
        "certificate_valid_from": "2024-01-01",
        "certificate_valid_until": "2029-12-31",
        "status": "on_duty",
        "id_number": "",
    }
    data.update(changes)
    return data


def _saved_state() -> tuple[list[int], list[int], int]:
    return (
        sorted(Entity.objects.values_list("pk", flat=True)),
        sorted(Inspector.objects.values_list("pk", flat=True)),
        AuditEvent.objects.count(),
    )


def _errors(response: Any) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


def test_a_valid_entity_is_saved_and_the_browser_goes_to_its_page(
    regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.post(ENTITY_CREATE, _entity_post(regions, departments))

    # then
    entity = Entity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:entity_detail", args=[entity.pk])
    assert (entity.uscc, entity.name, entity.established_on) == (
        make_uscc(9001),
        "晋州市新建食品有限公司",
        dt.date(2021, 6, 1),
    )
    assert list(entity.supervising_departments.all()) == [departments.market]


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        ("91130183ABC", "统一社会信用代码应为18位，当前为11位"),
        (
            "91130183MA0ABCO21F",
            "统一社会信用代码格式不正确：只能包含数字和除I、O、S、V、Z以外的大写字母，"
            "第3至8位为行政区划码",
        ),
    ],
)
def test_a_malformed_uscc_is_refused_next_to_the_field_and_nothing_is_saved(
    uscc: str, message: str, regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(ENTITY_CREATE, _entity_post(regions, departments, uscc=uscc))

    # then
    assert response.status_code == 200
    assert _errors(response) == {"uscc": [message]}
    assert (
        '<div class="invalid-feedback d-block" id="id_uscc-error" data-testid="error-uscc">'
        f"{message}</div>" in response.content.decode()
    )
    # screen readers announce the error with the field
    assert 'aria-describedby="id_uscc-error"' in response.content.decode()
    assert "本次未保存任何数据" in response.content.decode()
    assert _saved_state() == before


def test_a_uscc_failing_only_the_check_character_needs_a_reason(
    regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(ENTITY_CREATE, _entity_post(regions, departments, uscc=PILOT_CODE))

    # then
    assert response.status_code == 200
    assert _errors(response) == {"uscc": [PILOT_CODE_ERROR]}
    assert _saved_state() == before


def test_a_uscc_failing_only_the_check_character_is_saved_with_its_reason(
    regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    reason = "福建早期试点赋码，经登记机关核实合法有效"

    # when
    response = client.post(
        ENTITY_CREATE,
        _entity_post(regions, departments, uscc=PILOT_CODE, uscc_override_reason=reason),
    )

    # then
    assert response.status_code == 302
    entity = Entity.objects.get()
    assert (entity.uscc, entity.uscc_override_reason) == (PILOT_CODE, reason)


def test_an_override_reason_is_dropped_when_the_code_is_valid(
    regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    client.post(ENTITY_CREATE, _entity_post(regions, departments, uscc_override_reason="无需理由"))

    # then
    assert Entity.objects.get().uscc_override_reason == ""


@pytest.mark.parametrize("value", ["2024-02-30", "2024/13/01", "去年"])
def test_a_bad_date_is_refused_and_nothing_is_saved(
    value: str, regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(ENTITY_CREATE, _entity_post(regions, departments, established_on=value))

    # then
    assert _errors(response) == {"established_on": ["输入一个有效的日期。"]}
    assert _saved_state() == before


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("13018319900101123", "居民身份证号码应为18位（最后一位可为X）"),
        ("1301831990010112AB", "居民身份证号码应为18位（最后一位可为X）"),
        (_wrong_check(resident_id("13018319900101123")), "居民身份证号码校验位不正确"),
    ],
)
def test_a_bad_resident_id_number_of_the_legal_representative_is_refused(
    number: str,
    message: str,
    regions: Regions,
    departments: Departments,
    persona_client: SignIn,
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(
        ENTITY_CREATE, _entity_post(regions, departments, legal_rep_id_number=number)
    )

    # then
    assert _errors(response) == {"legal_rep_id_number": [message]}
    assert _saved_state() == before


def test_a_passport_number_is_not_checked_as_a_resident_id(
    regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.post(
        ENTITY_CREATE,
        _entity_post(
            regions, departments, legal_rep_id_type="passport", legal_rep_id_number="E12345678"
        ),
    )

    # then
    assert response.status_code == 302
    assert Entity.objects.get().legal_rep_id_masked == "E123*5678"


@pytest.mark.parametrize("scope", [["police"], ["market", "police"], ["city_market"]])
def test_a_dept_admin_cannot_assign_an_entity_to_a_department_outside_their_scope(
    scope: list[str], regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    chosen = [getattr(departments, name) for name in scope]
    outside = next(d for d in chosen if d != departments.market)
    before = _saved_state()

    # when
    response = client.post(
        ENTITY_CREATE,
        _entity_post(regions, departments, supervising_departments=[d.pk for d in chosen]),
    )

    # then
    assert response.status_code == 200
    assert _errors(response) == {
        "supervising_departments": [f"选择一个有效的选项。 {outside.pk} 不在可用的选项中。"]
    }
    assert _saved_state() == before


def test_the_lead_admin_cannot_assign_an_entity_to_a_department_outside_the_lead_office(
    regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("lead_admin")
    before = _saved_state()

    # when
    response = client.post(ENTITY_CREATE, _entity_post(regions, departments))

    # then
    assert _errors(response) == {
        "supervising_departments": [
            f"选择一个有效的选项。 {departments.market.pk} 不在可用的选项中。"
        ]
    }
    assert _saved_state() == before


def test_a_dept_admin_cannot_add_another_department_to_their_entity(
    catalogue: Catalogue, regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    jia = catalogue.jia
    url = reverse("directory:entity_edit", args=[jia.pk])
    before = _saved_state()

    # when
    response = client.post(
        url,
        _entity_post(
            regions,
            departments,
            uscc=jia.uscc,
            name=jia.name,
            supervising_departments=[departments.market.pk, departments.police.pk],
        ),
    )

    # then
    assert _errors(response) == {
        "supervising_departments": [
            f"选择一个有效的选项。 {departments.police.pk} 不在可用的选项中。"
        ]
    }
    assert list(Entity.objects.get(pk=jia.pk).supervising_departments.all()) == [departments.market]
    assert _saved_state() == before


def test_a_dept_admin_cannot_take_a_shared_entity_away_from_the_other_department(
    catalogue: Catalogue, regions: Regions, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    ding = catalogue.ding
    before = _saved_state()

    # when
    response = client.post(
        reverse("directory:entity_edit", args=[ding.pk]),
        _entity_post(
            regions,
            departments,
            uscc=ding.uscc,
            name=DING,
            entity_type="cooperative",
            supervising_departments=[departments.market.pk],
        ),
    )

    # then
    assert response.status_code == 200
    assert _errors(response) == {"__all__": ["无权修改以下部门的记录：晋州市公安局"]}
    assert set(Entity.objects.get(pk=ding.pk).supervising_departments.all()) == {
        departments.market,
        departments.police,
    }
    assert Entity.objects.get(pk=ding.pk).established_on is None
    assert _saved_state() == before


def test_a_valid_inspector_is_saved(departments: Departments, persona_client: SignIn) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.post(INSPECTOR_CREATE, _inspector_post(departments))

    # then
    inspector = Inspector.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:inspector_detail", args=[inspector.pk])
    assert (inspector.name, inspector.department, inspector.certificate_valid_until) == (
        "孙检查",
        departments.market,
        dt.date(2029, 12, 31),
    )


def test_a_certificate_ending_before_it_starts_is_refused(
    departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(
        INSPECTOR_CREATE,
        _inspector_post(
            departments, certificate_valid_from="2025-01-01", certificate_valid_until="2024-12-31"
        ),
    )

    # then
    assert response.status_code == 200
    assert _errors(response) == {"certificate_valid_until": ["证件有效期截止日期不能早于起始日期"]}
    assert _saved_state() == before


def test_a_bad_inspector_id_number_is_refused(
    departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(
        INSPECTOR_CREATE,
        _inspector_post(departments, id_number=_wrong_check(resident_id("13018319851231002"))),
    )

    # then
    assert _errors(response) == {"id_number": ["居民身份证号码校验位不正确"]}
    assert _saved_state() == before


def test_a_dept_admin_cannot_add_an_inspector_to_another_department(
    departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(
        INSPECTOR_CREATE, _inspector_post(departments, department=departments.police.pk)
    )

    # then
    assert _errors(response) == {"department": ["选择一个有效的选项： 该选择不在可用的选项中。"]}
    assert _saved_state() == before


def test_a_dept_admin_cannot_move_their_inspector_to_another_department(
    inspector_record: Inspector, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _saved_state()

    # when
    response = client.post(
        reverse("directory:inspector_edit", args=[inspector_record.pk]),
        _inspector_post(
            departments,
            name="李检查",
            certificate_no="JZSC0001",
            department=departments.police.pk,
        ),
    )

    # then
    assert _errors(response) == {"department": ["选择一个有效的选项： 该选择不在可用的选项中。"]}
    assert Inspector.objects.get(pk=inspector_record.pk).department == departments.market
    assert _saved_state() == before
