"""Inspection groups and the joint inspection record (一企一表).

A task's matching produces groups of inspectors (检查组) and, for every drawn
enterprise, one joint record that gathers the items of every participating
department that apply to it ("进一次门、查多项事").  Each department's inspector
fills in that department's items ("谁检查、谁录入").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.common.models import TimeStampedModel
from spotcheck.directory.models import Entity, Inspector
from spotcheck.inspections.choices import (
    ConflictSettlement,
    MergeOutcome,
    NoticeMethod,
    RecordState,
    ReviewDecision,
    SignerRole,
    SubmissionKind,
    VersionKind,
)


class InspectionGroup(TimeStampedModel):
    """A 检查组 of a task: at least two inspectors, led by the lead department's member."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="groups"
    )
    number = models.PositiveIntegerField(_("组号"))

    class Meta:
        verbose_name = _("检查组")
        verbose_name_plural = _("检查组")
        ordering = ["task", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="group_number_once_per_task")
        ]

    def __str__(self) -> str:
        return f"第{self.number}组"


class GroupMember(models.Model):
    """An inspector in a group; exactly one member of a group leads it."""

    group = models.ForeignKey(
        InspectionGroup, verbose_name=_("检查组"), on_delete=models.CASCADE, related_name="members"
    )
    inspector = models.ForeignKey(
        Inspector,
        verbose_name=_("执法检查人员"),
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="+"
    )
    is_leader = models.BooleanField(_("组长"), default=False)

    class Meta:
        verbose_name = _("检查组成员")
        verbose_name_plural = _("检查组成员")
        ordering = ["group", "-is_leader", "department__path", "inspector__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "inspector"], name="group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspector}（{self.department}）"


class JointRecord(TimeStampedModel):
    """一企一表: the one joint inspection record of an enterprise in a task."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="records"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="joint_records"
    )
    group = models.ForeignKey(
        InspectionGroup,
        verbose_name=_("检查组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    number = models.CharField(_("记录表编号"), max_length=80, unique=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=RecordState.choices, default=RecordState.PENDING
    )
    specialist_needed = models.JSONField(
        _("需专业人员协助"),
        default=list,
        blank=True,
        help_text=_("无具备专长的检查人员时，由部门另派专业人员：[{department, qualification}]"),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并检查至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        help_text=_("同一对象在同一时段被两个任务抽中时，合并为一次上门检查"),
    )
    planned_on = models.DateField(_("检查日期"), null=True, blank=True)
    materials = models.TextField(
        _("需准备的材料（一次告知）"),
        blank=True,
        help_text=_("告知检查对象提前准备的材料，每行一项"),
    )
    started_at = models.DateTimeField(_("检查开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("检查结束时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    party_name = models.CharField(_("签字人"), max_length=50, blank=True)
    party_role = models.CharField(
        _("签字人身份"), max_length=20, choices=SignerRole.choices, blank=True
    )
    party_signature = models.FileField(
        _("检查对象签字"), upload_to="inspections/signatures/", blank=True
    )
    party_refused = models.BooleanField(_("拒绝签字"), default=False)
    refusal_reason = models.TextField(_("拒签情况"), blank=True)
    witness_name = models.CharField(_("见证人"), max_length=50, blank=True)
    witness_id_masked = models.CharField(_("见证人证件号（脱敏）"), max_length=40, blank=True)
    witness_signature = models.FileField(
        _("见证人签字"), upload_to="inspections/signatures/", blank=True
    )
    signed_at = models.DateTimeField(_("签字确认时间"), null=True, blank=True)
    party_signed_at = models.DateTimeField(
        _("检查对象签字（或拒签记录）时间"),
        null=True,
        blank=True,
        help_text=_("现场签字确认时，以及审核退回要求重新签字后检查对象再次签字（或拒签）时"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签字确认提交人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=0)
    review_round = models.PositiveIntegerField(_("送审轮次"), default=0)
    lead_confirmed_at = models.DateTimeField(_("牵头部门确认时间"), null=True, blank=True)
    lead_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头部门确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("联合检查记录表")
        verbose_name_plural = _("联合检查记录表")
        ordering = ["task", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "entity"], name="one_record_per_task_entity")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_frozen(self) -> bool:
        """A signed record is frozen: later changes are corrections."""
        return self.signed_at is not None


class RecordItem(models.Model):
    """One department's item on a joint record, with what its inspector found."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="items"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("检查部门"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        InspectionItem, verbose_name=_("抽查事项"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(_("主要检查情况"), blank=True)
    result_codes = models.ManyToManyField(
        ResultCode, verbose_name=_("检查结果"), blank=True, related_name="record_items"
    )
    notes = models.TextField(_("备注"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("录入版本"),
        default=0,
        help_text=_("每次修改加 1；提交时须说明基于哪个版本，基于旧版本的修改作为冲突保存"),
    )

    class Meta:
        verbose_name = _("检查事项记录")
        verbose_name_plural = _("检查事项记录")
        ordering = ["record", "department__path", "item__code"]
        constraints = [models.UniqueConstraint(fields=["record", "item"], name="record_item_once")]

    def __str__(self) -> str:
        return f"{self.record} · {self.item}"


class EntryConflict(models.Model):
    """An item entry written on a version someone else had changed: kept, never applied blindly.

    The item keeps its current entry; the incoming one is stored here with what was current
    at that moment, until an inspector of the item's department settles it.
    """

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="conflicts"
    )
    item = models.ForeignKey(
        RecordItem, verbose_name=_("检查事项"), on_delete=models.CASCADE, related_name="conflicts"
    )
    findings = models.TextField(_("冲突的主要检查情况"), blank=True)
    codes = models.JSONField(_("冲突的检查结果"), default=list, blank=True)
    notes = models.TextField(_("冲突的备注"), blank=True)
    base_version = models.IntegerField(_("所基于的版本"), help_text=_("-1：提交时未说明"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("提交时间"))
    correction = models.BooleanField(_("更正"), default=False)
    current_version = models.PositiveIntegerField(_("当时的版本"))
    current = models.JSONField(
        _("当时服务器上的内容"), help_text=_("{findings, codes, notes, entered_by, entered_at}")
    )
    settlement = models.CharField(
        _("处理结果"), max_length=12, choices=ConflictSettlement.choices, blank=True
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    settled_version = models.PositiveIntegerField(_("处理后的版本"), null=True, blank=True)

    class Meta:
        verbose_name = _("录入冲突")
        verbose_name_plural = _("录入冲突")
        ordering = ["record", "item", "written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} · {self.item.item} · 冲突{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.settled_at is None


class VisitMerge(models.Model):
    """A decision on the platform's proposal to visit an enterprise once for two tasks.

    When one enterprise is drawn by two tasks whose check windows overlap, the platform
    proposes folding the later task's visit into the earlier one's (``record`` into
    ``into``).  Accepting sets ``record.merged_into``; refusing is kept so the proposal
    does not come back.  Proposals themselves are computed, never stored.
    """

    record = models.ForeignKey(
        JointRecord,
        verbose_name=_("并入的记录表"),
        on_delete=models.PROTECT,
        related_name="merge_decisions",
    )
    into = models.ForeignKey(
        JointRecord,
        verbose_name=_("保留上门检查的记录表"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("决定"), max_length=10, choices=MergeOutcome.choices)
    reason = models.CharField(_("理由"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合并检查决定")
        verbose_name_plural = _("合并检查决定")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "into"], name="visit_merge_decided_once"),
            models.CheckConstraint(
                condition=~models.Q(record=models.F("into")), name="visit_merge_two_records"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} → {self.into}（{self.get_outcome_display()}）"


class NoticeDelivery(models.Model):
    """How and when the 检查通知书 reached the enterprise."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="notices"
    )
    method = models.CharField(_("告知方式"), max_length=10, choices=NoticeMethod.choices)
    delivered_at = models.DateTimeField(_("告知时间"))
    note = models.CharField(_("说明"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查通知送达")
        verbose_name_plural = _("检查通知送达")
        ordering = ["record", "delivered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_method_display()}"


class RecordPhoto(models.Model):
    """A photo taken as evidence on site; the file lives outside the web root."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="photos"
    )
    item = models.ForeignKey(
        RecordItem,
        verbose_name=_("检查事项"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(_("照片"), upload_to="inspections/photos/")
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size = models.PositiveIntegerField(_("字节数"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    client_id = models.UUIDField(_("客户端编号"), unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["record", "item", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} · 照片{self.pk}"


class InspectorSignature(models.Model):
    """A group member's signature on the record."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(
        GroupMember, verbose_name=_("检查人员"), on_delete=models.PROTECT, related_name="+"
    )
    image = models.FileField(_("签字"), upload_to="inspections/signatures/")
    signed_at = models.DateTimeField(_("签字时间"))

    class Meta:
        verbose_name = _("检查人员签字")
        verbose_name_plural = _("检查人员签字")
        ordering = ["record", "member__group", "-member__is_leader", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "member"], name="one_signature_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.member}"


class RecordVersion(models.Model):
    """A frozen copy of the record: the signed version and every correction after it."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    kind = models.CharField(_("类型"), max_length=12, choices=VersionKind.choices)
    reason = models.TextField(_("更正理由"), blank=True)
    snapshot = models.JSONField(_("内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("形成人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("形成时间"))

    class Meta:
        verbose_name = _("记录表版本")
        verbose_name_plural = _("记录表版本")
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="record_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.record} 第{self.number}版"


class FieldSubmission(models.Model):
    """One submission from a phone, by its client-generated id: a repeat is ignored."""

    client_id = models.UUIDField(_("提交编号"), unique=True)
    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    kind = models.CharField(
        _("类型"), max_length=10, choices=SubmissionKind.choices, default=SubmissionKind.ENTRIES
    )
    correction = models.BooleanField(_("更正"), default=False)
    outcome = models.JSONField(
        _("处理结果"), default=dict, blank=True, help_text=_("各检查事项的结果：重复提交时原样答复")
    )

    class Meta:
        verbose_name = _("现场提交")
        verbose_name_plural = _("现场提交")
        ordering = ["record", "received_at"]

    def __str__(self) -> str:
        return str(self.client_id)


class DepartmentReview(models.Model):
    """A department's 审核 of its items on a submitted record, in one review round."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.CASCADE, related_name="reviews"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("审核部门"), on_delete=models.PROTECT, related_name="+"
    )
    review_round = models.PositiveIntegerField(_("送审轮次"))
    decision = models.CharField(_("审核结论"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    resign_required = models.BooleanField(
        _("要求检查对象重新签字"),
        default=False,
        help_text=_("退回时勾选：检查对象重新签字（或记录拒签）后才能提交更正、重新送审"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"))

    class Meta:
        verbose_name = _("部门审核")
        verbose_name_plural = _("部门审核")
        ordering = ["record", "review_round", "reviewed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "department", "review_round"], name="one_review_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.department} · {self.get_decision_display()}"
