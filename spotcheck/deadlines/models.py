"""The working-day calendar table, deadlines and the notifications they send."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.deadlines.choices import DayKind, DeadlineKind, DeadlineState, NotificationKind


class CalendarYear(models.Model):
    """One year's holiday arrangement; only a confirmed year is used for real deadlines."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    source_notice = models.CharField(
        _("依据通知"), max_length=200, blank=True, help_text=_("如：国办发明电〔2025〕7号")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{'已确认' if self.confirmed else '未确认'}）"


class CalendarDay(models.Model):
    """A day that differs from the weekday rule: a day off or a make-up working day."""

    day = models.DateField(_("日期"), unique=True)
    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("所属年度安排"), on_delete=models.CASCADE, related_name="days"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("节日名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("节假日与调休日")
        verbose_name_plural = _("节假日与调休日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"


class Deadline(models.Model):
    """A time limit in working days: what is due, by whom, from which event."""

    kind = models.CharField(_("时限类型"), max_length=20, choices=DeadlineKind.choices)
    title = models.CharField(_("事项"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="deadlines"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    target_type = models.CharField(_("关联对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("关联对象编号"), max_length=64, blank=True)
    target_url = models.CharField(_("办理链接"), max_length=255, blank=True)
    start_event = models.CharField(_("起算事件"), max_length=100)
    start_date = models.DateField(_("起算日期"))
    working_days = models.PositiveSmallIntegerField(_("工作日数"))
    due_date = models.DateField(_("截止日期"), db_index=True)
    provisional = models.BooleanField(
        _("暂定"), default=False, help_text=_("截止日期所在年度节假日安排尚未确认，按周末估算")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_late = models.BooleanField(_("超期后完成"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["state", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(working_days__gte=1), name="deadline_at_least_one_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_date}）"


class Notification(models.Model):
    """An in-app message about a deadline; each (recipient, deadline, kind) is sent once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("时限"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    message = models.CharField(_("内容"), max_length=255)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "deadline", "kind"], name="notification_sent_once"
            )
        ]

    def __str__(self) -> str:
        return self.message
