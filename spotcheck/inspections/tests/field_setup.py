"""Shared setup of the field-work tests: a joint record of two departments and a group."""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass

from PIL import Image, ImageDraw

from spotcheck.accounts.models import User
from spotcheck.accounts.tests.factories import UserFactory
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import InspectorFactory
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem
from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions


@dataclass
class Field:
    record: JointRecord
    group: InspectionGroup
    market_item: RecordItem
    police_item: RecordItem
    other_record: JointRecord  # of another group


def build_field(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector: Inspector,
    other_inspector: Inspector,
    outsider: Inspector | None = None,
) -> Field:
    lead = make_item(departments.lead_office, "JR-01")
    market = make_item(departments.market, "SJ-01", name="食品经营许可情况")
    police = make_item(departments.police, "GA-01", name="保安服务许可情况")
    codes = list(ResultCode.objects.all())
    for item in (market, police):
        item.result_codes.set(codes)
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [lead]),
            (departments.market, [market]),
            (departments.police, [police]),
        ],
    )
    group = make_group(task, [inspector, other_inspector])
    record = make_record(task, catalogue.ding, group, [market, police])
    other_group = make_group(task, [outsider] if outsider else [], number=2)
    other_record = make_record(task, catalogue.jia, other_group, [market])
    return Field(
        record=record,
        group=group,
        market_item=record.items.get(item=market),
        police_item=record.items.get(item=police),
        other_record=other_record,
    )


def entry(
    item: RecordItem | InspectionItem,
    codes: tuple[str, ...] = ("1",),
    base: int | None = None,
    **kw: str,
) -> ItemEntry:
    return ItemEntry(
        item_id=item.pk,
        findings=kw.get("findings", "证照齐全，台账完整"),
        codes=codes,
        notes=kw.get("notes", ""),
        base_version=base,
    )


def sid() -> uuid.UUID:
    return uuid.uuid4()


def signature(blank: bool = False) -> str:
    img = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(img).line([(20, 80), (120, 30), (260, 90)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(out, format="JPEG")
    return out.getvalue()


def second_market_inspector(field: Field, departments: Departments) -> User:
    """A second 市场监管局 inspector (赵检查) in the record's group, with a second market item
    (SJ-02) on the record: two inspectors of one department fill the same record."""
    user = UserFactory(
        username="market_inspector_2",
        display_name="赵检查",
        role="inspector",
        department=departments.market,
    )
    inspector = InspectorFactory(
        name="赵检查", department=departments.market, user=user, certificate_no="JZSC0002"
    )
    GroupMember.objects.create(
        group=field.group, inspector=inspector, department=departments.market
    )
    second = make_item(departments.market, "SJ-02", name="广告发布情况")
    second.result_codes.set(ResultCode.objects.all())
    RecordItem.objects.create(record=field.record, department=departments.market, item=second)
    return user


def enter_all(field: Field, inspector_user: User, other_inspector_user: User) -> None:
    """Both departments enter their item (the police finds 未按规定备案)."""
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item)],
    )
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("A", "G"), findings="未按规定备案")],
    )


def sign_record(field: Field, actor: User) -> None:
    """``actor`` records the signatures of 张三 (法定代表人) and of every group member."""
    members = {m.pk: signature() for m in field.group.members.all()}
    record_sign(
        actor=actor,
        record=field.record,
        submission_id=sid(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures=members,
    )
