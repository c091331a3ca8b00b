"""The item catalogue: what each department may check, on what legal basis, how."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.catalogue.choices import CheckMethod, ItemClass
from spotcheck.common.models import TimeStampedModel
from spotcheck.directory.choices import EntityType
from spotcheck.directory.models import ItemType, Speciality, Tag

_PERCENT = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))]


class ResultCode(models.Model):
    """One code of the hierarchical, multi-select check result (domain.md §2).

    ``exclusive`` codes (未发现问题) cannot be combined with any other; a code with
    ``requires_child`` (发现问题待后续处理) needs at least one of its children;
    ``needs_follow_up`` opens a 后续处置 case; ``abnormal_list`` proposes 经营异常名录.
    """

    code = models.CharField(_("代码"), max_length=4, unique=True)
    label = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    exclusive = models.BooleanField(_("排他"), default=False)
    requires_child = models.BooleanField(_("须选下级"), default=False)
    terminal = models.BooleanField(_("主体状态类结果"), default=False)
    needs_follow_up = models.BooleanField(_("需后续处置"), default=False)
    abnormal_list = models.BooleanField(_("提示列入经营异常名录"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("检查结果代码")
        verbose_name_plural = _("检查结果代码")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class InspectionItem(TimeStampedModel):
    """An entry of a department's 抽查事项清单."""

    department = models.ForeignKey(
        Department, verbose_name=_("抽查主体"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("事项编码"), max_length=30)
    name = models.CharField(_("抽查事项名称"), max_length=120)
    item_type = models.ForeignKey(
        ItemType,
        verbose_name=_("事项类别"),
        on_delete=models.PROTECT,
        related_name="items",
        help_text=_("执法检查人员按事项类别标注检查资格"),
    )
    legal_basis = models.TextField(_("抽查依据"))
    methods = models.JSONField(_("抽查方式"), default=list, blank=True)
    entity_types = models.JSONField(_("抽查对象类型"), default=list, blank=True)
    tags = models.ManyToManyField(
        Tag, verbose_name=_("适用对象标签"), blank=True, related_name="items"
    )
    item_class = models.CharField(
        _("事项类别（重点/一般）"), max_length=10, choices=ItemClass.choices
    )
    ratio_min = models.DecimalField(
        _("抽查比例下限（%）"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    ratio_max = models.DecimalField(
        _("抽查比例上限（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_PERCENT,
        help_text=_("重点检查事项可不设上限"),
    )
    frequency = models.CharField(_("抽查频次"), max_length=40, default="每年不少于1次")
    speciality = models.ForeignKey(
        Speciality,
        verbose_name=_("检查人员专长要求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    result_codes = models.ManyToManyField(
        ResultCode, verbose_name=_("检查结果选项"), related_name="items"
    )
    is_active = models.BooleanField(_("有效"), default=True)
    notes = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")
        ordering = ["department__path", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"],
                name="item_code_unique_per_department",
                violation_error_message=_("本部门已有相同编码的抽查事项"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        bad_methods = set(self.methods) - set(CheckMethod.values)
        if not self.methods or bad_methods:
            errors["methods"] = str(_("请至少选择一种有效的抽查方式"))
        if not self.entity_types or set(self.entity_types) - set(EntityType.values):
            errors["entity_types"] = str(_("请至少选择一种有效的抽查对象类型"))
        if self.item_class == ItemClass.GENERAL and self.ratio_max is None:
            errors["ratio_max"] = str(_("一般检查事项须设定抽查比例上限"))
        if (
            self.ratio_max is not None
            and self.ratio_min is not None
            and self.ratio_max < self.ratio_min
        ):
            errors["ratio_max"] = str(_("抽查比例上限不能低于下限"))
        if errors:
            raise ValidationError(errors)

    def method_labels(self) -> list[str]:
        return [str(CheckMethod(m).label) for m in self.methods if m in CheckMethod.values]

    def entity_type_labels(self) -> list[str]:
        return [str(EntityType(t).label) for t in self.entity_types if t in EntityType.values]


class SubItem(models.Model):
    """A 检查内容 line of an item: what the inspectors actually look at."""

    item = models.ForeignKey(
        InspectionItem,
        verbose_name=_("抽查事项"),
        on_delete=models.CASCADE,
        related_name="sub_items",
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    content = models.CharField(_("检查内容及要求"), max_length=255)

    class Meta:
        verbose_name = _("检查内容")
        verbose_name_plural = _("检查内容")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="sub_item_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.content}"
