from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.inspections.models import JointRecord, NoticeDelivery
from spotcheck.inspections.selectors.notice import notice_context
from spotcheck.inspections.services.notice import notice_delivery_record, record_schedule
from spotcheck.inspections.tests.field_setup import Field, build_field
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions


@pytest.fixture
def field(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> Field:
    return build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def test_the_short_notice_names_date_items_inspectors_and_materials(
    field: Field, inspector_user: User
) -> None:
    # given
    record_schedule(
        actor=inspector_user,
        record=field.record,
        planned_on=dt.date(2026, 3, 5),
        materials="营业执照副本\n保安员上岗证",
    )
    # when
    sms = notice_context(JointRecord.objects.get(pk=field.record.pk))["sms_text"]
    # then
    assert sms == (
        "【晋州市政府办】晋州市丁果蔬农民专业合作社：根据晋州市政府办抽查〔2026〕10号，"
        "联合检查组将于2026年3月5日对贵单位进行“双随机、一公开”联合抽查，"
        "检查事项：保安服务许可情况、食品经营许可情况。"
        "检查人员：李检查（执法证号JZSC0001）、王检查（执法证号JZGA0001）。"
        "请提前准备：营业执照副本；保安员上岗证。"
    )


def test_a_notice_delivery_is_recorded_with_its_way_and_time(
    field: Field, inspector_user: User
) -> None:
    # when
    response = _client(inspector_user).post(
        f"/field/records/{field.record.pk}/notice/",
        {"method": "phone", "delivered_at": "2026-03-03T09:30", "note": "联系法定代表人"},
    )
    # then
    assert response.status_code == 302
    delivery = NoticeDelivery.objects.get()
    assert (delivery.method, delivery.note, delivery.recorded_by) == (
        "phone",
        "联系法定代表人",
        inspector_user,
    )
    assert timezone.localtime(delivery.delivered_at).strftime("%Y-%m-%d %H:%M") == (
        "2026-03-03 09:30"
    )


def test_a_notice_in_the_future_is_refused(field: Field, inspector_user: User) -> None:
    with pytest.raises(ValidationError) as err:
        notice_delivery_record(
            actor=inspector_user,
            record=field.record,
            method="sms",
            delivered_at=timezone.now() + dt.timedelta(days=1),
        )
    assert err.value.message_dict == {"delivered_at": ["告知时间不能晚于现在"]}
    assert not NoticeDelivery.objects.exists()


def test_only_the_group_records_a_notice(field: Field, dept_admin: User) -> None:
    with pytest.raises(PermissionDenied, match="不是本记录表检查组的成员"):
        notice_delivery_record(
            actor=dept_admin, record=field.record, method="written", delivered_at=timezone.now()
        )
    assert not NoticeDelivery.objects.exists()


def test_the_schedule_page_saves_the_date_and_the_materials(
    field: Field, other_inspector_user: User
) -> None:
    response = _client(other_inspector_user).post(
        f"/field/records/{field.record.pk}/schedule/",
        {"planned_on": "2026-03-06", "materials": " 保安服务许可证 \n\n 保安员名册 "},
    )
    assert response.status_code == 302
    record = JointRecord.objects.get(pk=field.record.pk)
    assert (record.planned_on, record.materials) == (
        dt.date(2026, 3, 6),
        "保安服务许可证\n保安员名册",
    )
    page = _client(other_inspector_user).get(f"/field/records/{field.record.pk}/").content
    assert "<li>保安服务许可证</li><li>保安员名册</li>" in page.decode()
