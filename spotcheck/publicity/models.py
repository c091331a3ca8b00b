"""Published results (抽查结果公示), the outbox to 国家企业信用信息公示系统, and the
检查结果告知书 each enterprise receives.

A publication is the snapshot of one department's results on one joint record
("谁检查、谁录入、谁公开"), exactly as it was made public.  A correction (更正)
never edits it: it adds the next version and the previous one stops being current.
Every version becomes one outbox message for the national system.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.campaigns.models import Task
from spotcheck.core import outboxflow
from spotcheck.directory.models import Entity
from spotcheck.inspections.models import JointRecord, RecordVersion
from spotcheck.publicity.choices import OutboxKind, OutboxState


class ResultPublication(models.Model):
    """One version of a department's 抽查结果 on one enterprise, as made public."""

    record = models.ForeignKey(
        JointRecord, verbose_name=_("记录表"), on_delete=models.PROTECT, related_name="publications"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("检查机关"), on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="result_publications",
    )
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="result_publications"
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正前版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    # the notice as published (domain.md §3, 抽查结果公告)
    plan_number = models.CharField(_("抽查计划编号"), max_length=60)
    plan_name = models.CharField(_("抽查计划名称"), max_length=200)
    task_number = models.CharField(_("抽查任务编号"), max_length=60)
    task_name = models.CharField(_("抽查任务名称"), max_length=200)
    task_type = models.CharField(_("抽查类型"), max_length=20)
    authority = models.CharField(_("检查机关"), max_length=100)
    entity_name = models.CharField(_("抽查市场主体名称"), max_length=200)
    entity_code = models.CharField(_("统一社会信用代码/注册号"), max_length=18)
    checked_on = models.DateField(_("检查完成日期"))
    result_key = models.CharField(_("检查结果类别"), max_length=4)
    result_codes = models.JSONField(_("检查结果代码"), default=list)
    result_text = models.CharField(_("检查结果"), max_length=500)
    remarks = models.TextField(_("备注"), blank=True)
    items = models.JSONField(_("检查事项及结果"), default=list)
    inspectors = models.JSONField(_("执法检查人员"), default=list, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公示人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公示时间"))
    correction_reason = models.TextField(_("更正理由"), blank=True)
    due_date = models.DateField(_("公示截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查结果公示")
        verbose_name_plural = _("抽查结果公示")
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "department", "version"], name="publication_version_once"
            ),
            models.UniqueConstraint(
                fields=["record", "department"],
                condition=models.Q(is_current=True),
                name="publication_one_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-checked_on", "-id"],
                condition=models.Q(is_current=True),
                name="pub_current_date",
            ),
            models.Index(
                fields=["department", "-checked_on", "-id"],
                condition=models.Q(is_current=True),
                name="pub_current_dept_date",
            ),
            models.Index(
                fields=["result_key", "-checked_on", "-id"],
                condition=models.Q(is_current=True),
                name="pub_current_result_date",
            ),
            models.Index(fields=["entity", "is_current"], name="pub_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_name} · {self.authority} · {self.task_number}（第{self.version}版）"

    @property
    def corrected(self) -> bool:
        """A version after the first is a correction (更正)."""
        return self.version > 1

    @property
    def published_late(self) -> bool:
        return bool(self.due_date and self.published_at.date() > self.due_date)


class OutboxMessage(models.Model):
    """One publication or correction waiting for, or delivered to, the national system."""

    publication = models.OneToOneField(
        ResultPublication,
        verbose_name=_("公示版本"),
        on_delete=models.PROTECT,
        related_name="outbox_message",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=OutboxKind.choices)
    idempotency_key = models.CharField(_("幂等键"), max_length=80, unique=True)
    payload = models.JSONField(_("报文"))
    state = models.CharField(
        _("状态"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"))
    locked_until = models.DateTimeField(_("发送占用至"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    resent_count = models.PositiveIntegerField(_("人工重发次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公示系统报送消息")
        verbose_name_plural = _("公示系统报送消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return self.idempotency_key

    def can_move_to(self, state: str) -> bool:
        """Whether the message may move to ``state`` (core.outboxflow)."""
        return outboxflow.can_move(self.state, state)


class ResultNotice(models.Model):
    """The 检查结果告知书: telling the enterprise what the joint check found.

    It lives in publicity because this context owns what the platform tells the outside
    world about a result: the public notice (一公开), the report to the national system,
    the correction (更正) an enterprise may ask for, and so this letter to the enterprise.

    One per joint record, issued when the review makes the record 已通过. It stores no
    file: the PDF is rendered again on every request, deterministically, from the record
    version that was approved (``record_version``, a frozen copy the record never changes),
    each item's result in words (``item_results``) and the follow-up it announced
    (``follow_ups``), both copied when it was issued: a case moved on or a label of the
    result code table reworded later does not change what the enterprise was told.
    """

    record = models.OneToOneField(
        JointRecord,
        verbose_name=_("记录表"),
        on_delete=models.PROTECT,
        related_name="result_notice",
    )
    record_version = models.ForeignKey(
        RecordVersion,
        verbose_name=_("审核通过的记录表版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    follow_ups = models.JSONField(
        _("后续处置要求"),
        default=list,
        blank=True,
        help_text=_("告知时须后续处置的事项：[{item_id, department, item, due_date}]"),
    )
    item_results = models.JSONField(
        _("各事项检查结果"),
        default=dict,
        blank=True,
        help_text=_("告知时各检查事项的结果文字：{记录事项编号: 文字}"),
    )
    is_practice = models.BooleanField(_("演练"), default=False)
    issued_at = models.DateTimeField(_("生成时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核通过人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("检查结果告知书")
        verbose_name_plural = _("检查结果告知书")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.record.number} 检查结果告知书"
