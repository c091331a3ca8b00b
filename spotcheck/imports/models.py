"""Import jobs: one uploaded directory file and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.imports.choices import (
    LOST_MESSAGE,
    STALE_MESSAGE,
    TRANSITIONS,
    ImportKind,
    ImportStatus,
)


class ImportJob(models.Model):
    """A directory file uploaded for import, run by a background task.

    The file is kept under ``MEDIA_ROOT/imports/`` with the report of rejected rows
    beside it. ``department`` narrows the import to that department's subtree and is
    the default 监管部门/所属部门 of rows that leave it empty.
    """

    kind = models.CharField(_("名录"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("导入文件"), upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    encoding = models.CharField(
        _("指定编码"), max_length=20, blank=True, help_text=_("留空表示自动识别")
    )
    valid_only = models.BooleanField(_("仅导入有效行"), default=False)
    dry_run = models.BooleanField(_("试运行"), default=False)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门范围"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(_("当前步骤"), max_length=100, blank=True)
    rows_done = models.PositiveIntegerField(_("已读取行数"), default=0)
    rows_total = models.PositiveIntegerField(_("估计总行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    rejected_count = models.PositiveIntegerField(_("有误行数"), default=0)
    warning_count = models.PositiveIntegerField(_("警告"), default=0)
    applied = models.BooleanField(_("已写入名录库"), default=False)
    messages = models.JSONField(_("提示"), default=list, blank=True)
    error_message = models.TextField(_("错误信息"), blank=True)
    errors_file = models.FileField(
        _("错误报告"), upload_to="imports/%Y/%m/", max_length=255, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("最近心跳"),
        null=True,
        blank=True,
        help_text=_("后台任务运行时定期更新；长时间没有更新说明任务已中断"),
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    task_result_id = models.CharField(
        _("后台任务编号"),
        max_length=64,
        blank=True,
        help_text=_("任务队列中的编号；队列不再认得它时，排队中的导入即已丢失"),
    )

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 #{self.pk}（{self.original_name}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED)

    @property
    def interrupted(self) -> bool:
        """Tell whether the job failed because its worker stopped or its queued task was lost."""
        return self.status == ImportStatus.FAILED and self.error_message in (
            STALE_MESSAGE,
            LOST_MESSAGE,
        )

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]
