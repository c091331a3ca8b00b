"""What the API reads and accepts; field names follow the models (docs/glossary.md)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from spotcheck.accounts.models import Department
from spotcheck.campaigns.choices import TaskState, TaskType
from spotcheck.campaigns.models import Task, TaskDepartment
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
from spotcheck.inspections.models import JointRecord, RecordItem

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
    item = serializers.CharField(source="item.code")
    result_codes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = RecordItem
        fields = ["department", "item", "findings", "result_codes", "notes", "entered_at"]


class JointRecordOut(serializers.ModelSerializer[JointRecord]):
    entity_code = serializers.CharField(source="entity.code")
    entity_name = serializers.CharField(source="entity.name")
    group = serializers.IntegerField(source="group.number", allow_null=True, default=None)

    class Meta:
        model = JointRecord
        fields = ["id", "number", "task", "entity", "entity_code", "entity_name", "group", "state"]


class JointRecordDetailOut(JointRecordOut):
    items = RecordItemOut(many=True, read_only=True)

    class Meta(JointRecordOut.Meta):
        fields = [*JointRecordOut.Meta.fields, "items"]
