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
from spotcheck.inspections.choices import RecordState


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

    class Meta:
        verbose_name = _("检查事项记录")
        verbose_name_plural = _("检查事项记录")
        ordering = ["record", "department__path", "item__code"]
        constraints = [models.UniqueConstraint(fields=["record", "item"], name="record_item_once")]

    def __str__(self) -> str:
        return f"{self.record} · {self.item}"


class MergeOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("已合并")
    REFUSED = "refused", _("不合并")


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
