"""Annual plans (年度抽查计划) and joint tasks (联合抽查任务)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department, Region
from spotcheck.campaigns.choices import PlanState, TaskState, TaskType
from spotcheck.catalogue.models import InspectionItem
from spotcheck.common.models import TimeStampedModel
from spotcheck.core.scope import scope_phrase
from spotcheck.directory.choices import RegStatus
from spotcheck.directory.models import Tag

_PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
# e.g. 晋州市政府办抽查〔2026〕10号: 牵头机关简称 + 抽查 + 〔年度〕 + 序号 + 号
TASK_NUMBER_RE = re.compile(r"^.{2,30}抽查〔(\d{4})〕(\d{1,4})号$")


class AnnualPlan(TimeStampedModel):
    """A department's or a joint 年度抽查计划; its tasks are drawn batch by batch."""

    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("计划名称"), max_length=200)
    number = models.CharField(_("计划编号"), max_length=60, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("制定部门"), on_delete=models.PROTECT, related_name="plans"
    )
    is_joint = models.BooleanField(_("联合计划"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度抽查计划")
        verbose_name_plural = _("年度抽查计划")
        ordering = ["-year", "number"]

    def __str__(self) -> str:
        return self.name


class Task(TimeStampedModel):
    """A 联合抽查任务: who checks what, on which objects, at which ratios, when."""

    plan = models.ForeignKey(
        AnnualPlan, verbose_name=_("所属计划"), on_delete=models.PROTECT, related_name="tasks"
    )
    number = models.CharField(_("任务编号"), max_length=60, unique=True)
    name = models.CharField(_("任务名称"), max_length=200)
    task_type = models.CharField(
        _("抽查类型"), max_length=12, choices=TaskType.choices, default=TaskType.DIRECTED
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    scope_entity_types = models.JSONField(_("对象类型范围"), default=list, blank=True)
    scope_tags = models.ManyToManyField(
        Tag, verbose_name=_("对象标签范围"), blank=True, related_name="tasks"
    )
    scope_department = models.ForeignKey(
        Department,
        verbose_name=_("监管部门范围"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scoped_tasks",
        help_text=_("只抽取该部门监管的对象，如“由晋州市人民政府办公室所监管”"),
    )
    scope_region = models.ForeignKey(
        Region, verbose_name=_("区域范围"), on_delete=models.PROTECT, related_name="tasks"
    )
    scope_reg_statuses = models.JSONField(
        _("登记状态范围"), default=list, blank=True, help_text=_("默认只抽取存续（在业）对象")
    )
    ratio_a = models.DecimalField(
        _("A类抽取比例（%）"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    ratio_b = models.DecimalField(
        _("B类抽取比例（%）"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    ratio_c = models.DecimalField(
        _("C类抽取比例（%）"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    ratio_d = models.DecimalField(
        _("D类抽取比例（%）"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    ratio_unclassified = models.DecimalField(
        _("未分类抽取比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=_PERCENT,
    )
    floor_ratio = models.DecimalField(
        _("总体抽取比例下限（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3"),
        validators=_PERCENT,
        help_text=_("如“按照信用风险分级分类等级抽取涉及行业共计不低于3%”"),
    )
    exclude_checked_within_days = models.PositiveSmallIntegerField(
        _("排除近N天内已由同一部门检查的对象"), default=0
    )
    annual_cap = models.PositiveSmallIntegerField(
        _("同一部门每年对同一对象抽查上限"), default=0, help_text=_("0 表示不设上限")
    )
    window_start = models.DateField(_("检查日期自"))
    window_end = models.DateField(_("检查日期至"))
    publish_object_list = models.BooleanField(_("公示抽取名单"), default=True)
    is_practice = models.BooleanField(
        _("演练任务"),
        default=False,
        help_text=_("演练或演示用的任务：不在公示页面、开放数据中出现，也不报送公示系统"),
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=TaskState.choices, default=TaskState.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("联合抽查任务")
        verbose_name_plural = _("联合抽查任务")
        ordering = ["-window_start", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def scope_text(self) -> str:
        """抽查对象范围 as the public reads it (the region said once)."""
        return scope_phrase(
            self.scope_region.name,
            self.scope_department.name if self.scope_department_id else "",
            [t.name for t in self.scope_tags.all()],
        )

    def ratios(self) -> dict[str, Decimal]:
        """Return the ratio of each stratum in percent (U = unclassified)."""
        return {
            "A": self.ratio_a,
            "B": self.ratio_b,
            "C": self.ratio_c,
            "D": self.ratio_d,
            "U": self.ratio_unclassified,
        }

    def clean(self) -> None:
        errors: dict[str, str] = {}
        match = TASK_NUMBER_RE.match(self.number or "")
        if not match:
            errors["number"] = str(
                _("任务编号应为“牵头机关简称+抽查〔年度〕序号号”，如 晋州市政府办抽查〔2026〕10号")
            )
        if self.window_start and self.window_end and self.window_end < self.window_start:
            errors["window_end"] = str(_("检查结束日期不能早于开始日期"))
        ratios = [r for r in self.ratios().values() if r is not None]
        if ratios and all(r == 0 for r in ratios):
            errors["ratio_a"] = str(_("至少一个信用风险类别的抽取比例须大于0"))
        if self.scope_reg_statuses and set(self.scope_reg_statuses) - set(RegStatus.values):
            errors["scope_reg_statuses"] = str(_("登记状态范围包含无效值"))
        if errors:
            raise ValidationError(errors)


class TaskDepartment(models.Model):
    """A department taking part in a task, with the items it brings."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="participants"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("参与部门"), on_delete=models.PROTECT, related_name="task_roles"
    )
    items = models.ManyToManyField(
        InspectionItem, verbose_name=_("抽查事项"), related_name="task_roles"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参与部门")
        verbose_name_plural = _("参与部门")
        ordering = ["task", "department__path"]
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="task_department_once")
        ]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.department}"
