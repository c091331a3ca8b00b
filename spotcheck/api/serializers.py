"""What the API reads and accepts; field names follow the models (docs/glossary.md)."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from spotcheck.accounts.models import Department
from spotcheck.campaigns.choices import TaskState, TaskType
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.catalogue.models import ResultCode
from spotcheck.directory.choices import (
    EntityType,
    Gender,
    InspectorCategory,
    InspectorStatus,
    RegStatus,
    RiskClass,
    RiskSource,
)
from spotcheck.directory.models import Entity, Inspector
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.inspections.choices import RecordState, ReviewDecision, SignerRole
from spotcheck.inspections.models import GroupMember, JointRecord, RecordItem

MAX_SYNC_ROWS = 500


class DepartmentOut(serializers.ModelSerializer[Department]):
    region = serializers.CharField(source="region.code", help_text="GB/T 2260 行政区划代码")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "region", "parent", "is_active"]


class EntityOut(serializers.ModelSerializer[Entity]):
    region = serializers.CharField(source="region.code")
    supervising_departments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Entity
        fields = [
            "id",
            "uscc",
            "reg_no",
            "name",
            "entity_type",
            "legal_rep_name",
            "address",
            "business_address",
            "region",
            "reg_authority_name",
            "industry_code",
            "established_on",
            "reg_status",
            "risk_class",
            "risk_source",
            "risk_as_of",
            "on_abnormal_list",
            "on_serious_illegal_list",
            "supervising_departments",
            "tags",
            "updated_at",
        ]


class InspectorOut(serializers.ModelSerializer[Inspector]):
    specialities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Inspector
        fields = [
            "id",
            "name",
            "department",
            "unit",
            "post",
            "category",
            "certificate_no",
            "certificate_authority",
            "certificate_valid_from",
            "certificate_valid_until",
            "status",
            "is_expert",
            "specialities",
            "updated_at",
        ]


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, **kwargs)


class EntityIn(serializers.Serializer[dict[str, Any]]):
    """One entity to create or update, found by its 统一社会信用代码; omitted fields are kept."""

    uscc = serializers.CharField(min_length=18, max_length=18, help_text="统一社会信用代码")
    name = _text(200)
    entity_type = serializers.ChoiceField(EntityType.choices, required=False)
    legal_rep_name = _text(50)
    legal_rep_phone = _text(20, allow_blank=True)
    address = _text(255)
    business_address = _text(255, allow_blank=True)
    region = _text(12, help_text="行政区划代码")
    reg_authority_name = _text(100)
    industry_code = _text(5, allow_blank=True)
    established_on = serializers.DateField(required=False, allow_null=True)
    reg_status = serializers.ChoiceField(RegStatus.choices, required=False)
    risk_class = serializers.ChoiceField(RiskClass.choices, required=False, allow_blank=True)
    risk_source = serializers.ChoiceField(RiskSource.choices, required=False, allow_blank=True)
    risk_as_of = serializers.DateField(required=False, allow_null=True)
    on_abnormal_list = serializers.BooleanField(required=False)
    on_serious_illegal_list = serializers.BooleanField(required=False)
    supervising_departments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        min_length=1,
        max_length=20,
        help_text="监管部门编号（见 /api/v1/departments/）",
    )
    tags = serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, max_length=50
    )


class EntitySyncIn(serializers.Serializer[dict[str, Any]]):
    entities = EntityIn(many=True, max_length=MAX_SYNC_ROWS, allow_empty=False)


class InspectorIn(serializers.Serializer[dict[str, Any]]):
    """One inspector to create or update, found by 执法证号; omitted fields are kept."""

    certificate_no = serializers.CharField(max_length=30)
    name = _text(50)
    gender = serializers.ChoiceField(Gender.choices, required=False, allow_blank=True)
    phone = _text(20, allow_blank=True)
    department = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    unit = _text(100, allow_blank=True)
    post = _text(50, allow_blank=True)
    category = serializers.ChoiceField(InspectorCategory.choices, required=False)
    certificate_authority = _text(100)
    certificate_valid_from = serializers.DateField(required=False)
    certificate_valid_until = serializers.DateField(required=False)
    status = serializers.ChoiceField(InspectorStatus.choices, required=False)
    is_expert = serializers.BooleanField(required=False)
    expert_field = _text(100, allow_blank=True)
    expert_org = _text(100, allow_blank=True)
    specialities = serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, max_length=50
    )


class InspectorSyncIn(serializers.Serializer[dict[str, Any]]):
    inspectors = InspectorIn(many=True, max_length=MAX_SYNC_ROWS, allow_empty=False)


class SyncRowOut(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField(help_text="统一社会信用代码或执法证号")
    result = serializers.ChoiceField(["created", "updated", "refused"])
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class SyncOut(serializers.Serializer[dict[str, Any]]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    refused = serializers.IntegerField()
    rows = SyncRowOut(many=True)


class ParticipantOut(serializers.ModelSerializer[TaskDepartment]):
    items = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = TaskDepartment
        fields = ["department", "items", "confirmed_at"]


class TaskOut(serializers.ModelSerializer[Task]):
    state = serializers.ChoiceField(TaskState.choices)
    task_type = serializers.ChoiceField(TaskType.choices)
    participants = ParticipantOut(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "number",
            "name",
            "task_type",
            "state",
            "lead_department",
            "window_start",
            "window_end",
            "participants",
        ]


class DrawAttemptOut(serializers.ModelSerializer[DrawAttempt]):
    """The public record of one draw attempt (announcement, seed, result)."""

    announcement = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = DrawAttempt
        fields = [
            "number",
            "status",
            "created_at",
            "redraw_reason",
            "announced_at",
            "announcement_sha256",
            "announcement",
            "public_value_used",
            "public_value",
            "seed",
            "drawn_at",
            "result",
            "abandoned_reason",
            "superseded_at",
        ]

    def get_announcement(self, attempt: DrawAttempt) -> dict[str, Any] | None:
        return json.loads(attempt.announcement) if attempt.announcement else None

    def get_result(self, attempt: DrawAttempt) -> dict[str, Any] | None:
        return json.loads(attempt.result) if attempt.result else None


class DrawnObjectOut(serializers.ModelSerializer[DrawnObject]):
    class Meta:
        model = DrawnObject
        fields = ["id", "entity_code", "stratum", "from_reserve", "state", "replace_reason"]


class TaskDrawsOut(serializers.Serializer[dict[str, Any]]):
    attempts = DrawAttemptOut(many=True)
    objects = DrawnObjectOut(many=True)


class RecordItemOut(serializers.ModelSerializer[RecordItem]):
    id = serializers.IntegerField(help_text="记录表中本检查事项的编号：录入结果、上传照片时用它")
    item = serializers.CharField(source="item.code")
    result_codes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    options = serializers.SlugRelatedField(
        source="item.result_codes",
        many=True,
        read_only=True,
        slug_field="code",
        help_text="本事项可选的检查结果代码（规则见 /api/v1/result-codes/）",
    )

    class Meta:
        model = RecordItem
        fields = [
            "id",
            "department",
            "item",
            "findings",
            "result_codes",
            "options",
            "notes",
            "entered_at",
            "version",
        ]


class GroupMemberOut(serializers.ModelSerializer[GroupMember]):
    name = serializers.CharField(source="inspector.name")

    class Meta:
        model = GroupMember
        fields = ["id", "inspector", "name", "department", "is_leader"]


class JointRecordOut(serializers.ModelSerializer[JointRecord]):
    entity_code = serializers.CharField(source="entity.code")
    entity_name = serializers.CharField(source="entity.name")
    group = serializers.IntegerField(source="group.number", allow_null=True, default=None)

    class Meta:
        model = JointRecord
        fields = ["id", "number", "task", "entity", "entity_code", "entity_name", "group", "state"]


class JointRecordDetailOut(JointRecordOut):
    items = RecordItemOut(many=True, read_only=True)
    members = serializers.SerializerMethodField(help_text="检查组成员：签字时按成员编号提交签名")

    class Meta(JointRecordOut.Meta):
        fields = [
            *JointRecordOut.Meta.fields,
            "version",
            "review_round",
            "signed_at",
            "items",
            "members",
        ]

    @extend_schema_field(GroupMemberOut(many=True))
    def get_members(self, record: JointRecord) -> list[dict[str, Any]]:
        if record.group is None:
            return []
        return list(GroupMemberOut(record.group.members.all(), many=True).data)


class ResultCodeOut(serializers.ModelSerializer[ResultCode]):
    """One code of the national result table and the rules it takes part in."""

    parent = serializers.SlugRelatedField(read_only=True, slug_field="code", allow_null=True)

    class Meta:
        model = ResultCode
        fields = [
            "code",
            "label",
            "parent",
            "exclusive",
            "requires_child",
            "terminal",
            "needs_follow_up",
        ]


# --------------------------------------------------------------------------- result entry


class DetailOut(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField()


class RefusalOut(serializers.Serializer[dict[str, Any]]):
    """{field: [messages]}; messages that name no field are under ``non_field_errors``."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


_ID = {"min_value": 1, "max_value": 2**63 - 1}
# a signature pad's PNG as a data URL; the service refuses more than 1 MiB of image
_SIGNATURE_CHARS = 2_000_000


def _free_text(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", help_text=help_text
    )


def _signature(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=_SIGNATURE_CHARS,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=help_text,
    )


def _unique(values: list[int], message: str) -> None:
    if len(set(values)) != len(values):
        raise serializers.ValidationError(message)


class ItemEntryIn(serializers.Serializer[dict[str, Any]]):
    """What the inspector found for one item of the record."""

    id = serializers.IntegerField(**_ID, help_text="记录表中检查事项的编号（记录详情 items[].id）")
    findings = _free_text(5000, "主要检查情况")
    codes = serializers.ListField(
        child=serializers.CharField(max_length=4),
        max_length=20,
        required=False,
        default=list,
        help_text="检查结果代码；选下级代码时上级代码自动补全。"
        "主要检查情况和检查结果都填写后，该事项才算录入完成",
    )
    notes = _free_text(1000, "备注")
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="本次修改所基于的检查事项版本（记录详情 items[].version）。"
        "与当前版本相同则写入；该事项已被他人修改的，不覆盖，作为冲突保存并返回 409。"
        "不填的，只能写入尚未录入或由调用者本人录入的事项",
    )


def _beijing_time(label: str) -> serializers.DateTimeField:
    # a time without a zone is a Beijing wall-clock time, as typed on the phone
    return serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        default_timezone=ZoneInfo(settings.TIME_ZONE),
        help_text=f"{label}：不带时区的时间按北京时间理解，带时区的时间按其时刻换算",
    )


class EntriesIn(serializers.Serializer[dict[str, Any]]):
    submission_id = serializers.UUIDField(
        help_text="调用方为本次提交生成的编号（UUID）：同一编号再次提交不会重复写入，"
        "返回 duplicate=true"
    )
    items = ItemEntryIn(many=True, max_length=100)
    started_at = _beijing_time("检查开始时间")
    ended_at = _beijing_time("检查结束时间")
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        rounding=ROUND_HALF_UP,
        required=False,
        allow_null=True,
        default=None,
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        rounding=ROUND_HALF_UP,
        required=False,
        allow_null=True,
        default=None,
    )
    correction_reason = _free_text(
        1000, "更正理由：记录表签字确认后再修改即为更正，须填写；未签字时不填"
    )

    def validate_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _unique([i["id"] for i in items], "同一检查事项在一次提交中只能出现一次")
        return items

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if (data["latitude"] is None) != (data["longitude"] is None):
            raise serializers.ValidationError({"longitude": "经度和纬度须同时提交"})
        return data


class SubmissionOut(serializers.Serializer[dict[str, Any]]):
    submission_id = serializers.UUIDField()
    duplicate = serializers.BooleanField(
        help_text="true：该编号此前已提交成功，本次未写入任何内容（其余字段为记录表当前状态）"
    )
    record = serializers.IntegerField()
    state = serializers.ChoiceField(RecordState.choices)
    version = serializers.IntegerField(help_text="记录表版本：签字确认为 1，每次更正加 1")


class ItemResultOut(serializers.Serializer[dict[str, Any]]):
    item = serializers.IntegerField(help_text="记录表中检查事项的编号")
    result = serializers.ChoiceField(
        [("applied", "已写入"), ("unchanged", "内容未变"), ("conflict", "冲突，未写入")]
    )
    version = serializers.IntegerField(help_text="该事项现在的版本：下次修改时作为 version 提交")
    conflict = serializers.IntegerField(allow_null=True, help_text="冲突编号（result=conflict 时）")


class EntryValueOut(serializers.Serializer[dict[str, Any]]):
    findings = serializers.CharField()
    codes = serializers.ListField(child=serializers.CharField())
    results = serializers.ListField(child=serializers.CharField(), help_text="代码及名称")
    notes = serializers.CharField()


class CurrentEntryOut(EntryValueOut):
    version = serializers.IntegerField()
    entered_by = serializers.CharField(help_text="录入人")
    entered_at = serializers.CharField(help_text="录入时间")


class IncomingEntryOut(EntryValueOut):
    base_version = serializers.IntegerField(help_text="提交所基于的版本；-1 为未说明")
    written_by = serializers.CharField(help_text="提交人")
    written_at = serializers.CharField(help_text="提交时间")


class ConflictOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(help_text="冲突编号")
    item = serializers.IntegerField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    now = CurrentEntryOut(help_text="服务器上保留的当前内容")
    incoming = IncomingEntryOut(help_text="本次提交的内容：未写入，作为冲突保存")
    message = serializers.CharField(help_text="中文说明")


class EntriesOut(SubmissionOut):
    items = ItemResultOut(many=True, help_text="各检查事项的处理结果")


class ConflictAnswerOut(EntriesOut):
    conflicts = ConflictOut(many=True)
    errors = serializers.ListField(child=serializers.CharField(), help_text="中文说明")


class PhotoIn(serializers.Serializer[dict[str, Any]]):
    item = serializers.IntegerField(
        **_ID, help_text="记录表中检查事项的编号（记录详情 items[].id）"
    )
    client_id = serializers.UUIDField(
        help_text="调用方为这张照片生成的编号（UUID）：再次上传同一编号不会重复保存"
    )
    photo = serializers.FileField(
        allow_empty_file=False, help_text="JPEG、PNG 或 WebP；按内容检查，重新编码为 JPEG"
    )


class PhotoOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    client_id = serializers.UUIDField()
    item = serializers.IntegerField()
    width = serializers.IntegerField(help_text="保存的宽度（像素，长边不超过 2560）")
    height = serializers.IntegerField()
    size = serializers.IntegerField(help_text="保存的 JPEG 字节数")
    sha256 = serializers.CharField()
    duplicate = serializers.BooleanField(help_text="true：该编号的照片此前已保存，本次未写入")


class PartyIn(serializers.Serializer[dict[str, Any]]):
    """The enterprise's side: a signature, or a refusal with its reason and a witness."""

    refused = serializers.BooleanField(required=False, default=False, help_text="检查对象拒绝签字")
    name = _free_text(50, "签字人姓名（签字时必填）")
    role = serializers.ChoiceField(
        SignerRole.choices, required=False, allow_blank=True, default="", help_text="签字人身份"
    )
    signature = _signature("检查对象签名：data:image/png;base64,…（签字时必填）")
    refusal_reason = _free_text(1000, "拒签情况（拒绝签字时必填）")
    witness_name = _free_text(50, "见证人姓名（拒绝签字时必填）")
    witness_id = _free_text(40, "见证人身份证号：只保存前后各四位")
    witness_signature = _signature("见证人签名：data:image/png;base64,…（拒绝签字时必填）")


class MemberSignatureIn(serializers.Serializer[dict[str, Any]]):
    member = serializers.IntegerField(**_ID, help_text="检查组成员编号（记录详情 members[].id）")
    signature = _signature("该检查人员的签名：data:image/png;base64,…")


class SignIn(serializers.Serializer[dict[str, Any]]):
    submission_id = serializers.UUIDField(
        help_text="调用方为本次签字生成的编号（UUID）：同一编号再次提交不会重复签字"
    )
    party = PartyIn()
    members = MemberSignatureIn(
        many=True, max_length=50, help_text="检查组每名成员的签名，缺一不可"
    )

    def validate_members(self, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _unique([m["member"] for m in members], "同一检查组成员只能签名一次")
        return members


class ReviewIn(serializers.Serializer[dict[str, Any]]):
    decision = serializers.ChoiceField(ReviewDecision.choices, help_text="通过或退回")
    comment = _free_text(2000, "审核意见（退回时必填）")
    resign_required = serializers.BooleanField(
        required=False,
        default=False,
        help_text="退回时要求检查对象重新签字：重新签字（或记录拒签）前不能提交更正",
    )


class ReviewOut(serializers.Serializer[dict[str, Any]]):
    record = serializers.IntegerField()
    decision = serializers.ChoiceField(ReviewDecision.choices)
    departments = serializers.ListField(
        child=serializers.IntegerField(), help_text="本次审核的部门（调用者范围内有事项的部门）"
    )
    review_round = serializers.IntegerField()
    state = serializers.ChoiceField(RecordState.choices)
