"""Follow-up cases (后续处置事项): one per record item whose result needs follow-up.

Every move of a case is a ``CaseStep`` (who, which department, what, why), with its
evidence files; the case row holds the current state for lists and locks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.common.models import TimeStampedModel
from spotcheck.deadlines.models import Deadline
from spotcheck.directory.models import Entity
from spotcheck.followup.choices import CaseState, Measure, StepKind
from spotcheck.inspections.models import JointRecord, RecordItem


class Case(TimeStampedModel):
    """A 后续处置事项: a problem found on one item of a joint record, until it is disposed of."""

    number = models.CharField(_("处置事项编号"), max_length=120, unique=True)
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="cases"
    )
    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.PROTECT, related_name="cases"
    )
    record_item = models.OneToOneField(
        RecordItem, verbose_name=_("检查事项记录"), on_delete=models.PROTECT, related_name="case"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="cases"
    )
    item = models.ForeignKey(
        InspectionItem, verbose_name=_("抽查事项"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(_("发现的问题"), blank=True)
    result_codes = models.ManyToManyField(
        ResultCode, verbose_name=_("检查结果"), related_name="cases"
    )
    found_on = models.DateField(_("发现问题日期"))
    origin_department = models.ForeignKey(
        Department, verbose_name=_("发现部门"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("办理部门"),
        on_delete=models.PROTECT,
        related_name="followup_cases",
    )
    transfer_to = models.ForeignKey(
        Department,
        verbose_name=_("移交至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_cases",
    )
    holders = models.JSONField(
        _("办理过的部门"), default=list, help_text=_("依次接手过本事项的部门编号，当前部门在最后")
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=CaseState.choices, default=CaseState.OPEN
    )
    version = models.PositiveIntegerField(
        _("版本"), default=1, help_text=_("每办理一步加一；页面提交时核对，防止两人同时办理")
    )
    deadline = models.ForeignKey(
        Deadline,
        verbose_name=_("当前办理时限"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    disposal_result = models.TextField(_("处置结果"), blank=True)
    closed_on = models.DateField(_("处置日期"), null=True, blank=True)
    is_public = models.BooleanField(_("处置结果须公示"), default=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("后续处置事项")
        verbose_name_plural = _("后续处置事项")
        ordering = ["-found_on", "number"]
        indexes = [models.Index(fields=["state", "department"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=CaseState.CLOSED) | ~models.Q(disposal_result=""),
                name="closed_case_has_result",
            ),
            models.CheckConstraint(
                condition=models.Q(state=CaseState.TRANSFERRING, transfer_to__isnull=False)
                | (~models.Q(state=CaseState.TRANSFERRING) & models.Q(transfer_to__isnull=True)),
                name="transfer_target_only_while_transferring",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseStep(models.Model):
    """One recorded step of a case: who did what, for which department, and why."""

    case = models.ForeignKey(
        Case, verbose_name=_("处置事项"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("步骤"), max_length=12, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("办理部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField(_("处置措施"), max_length=20, choices=Measure.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    to_department = models.ForeignKey(
        Department,
        verbose_name=_("移交至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("处置步骤")
        verbose_name_plural = _("处置步骤")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class CaseEvidence(models.Model):
    """A file proving a step (a notice, a decision, a photo), kept outside the web root."""

    step = models.ForeignKey(
        CaseStep, verbose_name=_("处置步骤"), on_delete=models.CASCADE, related_name="evidence"
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    path = models.CharField(_("存储位置"), max_length=255, unique=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("处置证据")
        verbose_name_plural = _("处置证据")
        ordering = ["step", "id"]

    def __str__(self) -> str:
        return self.name
