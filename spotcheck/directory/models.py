"""The two directories of 一单两库: inspection objects and inspectors."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department, Region
from spotcheck.common.models import TimeStampedModel
from spotcheck.core.uscc import UsccStatus, validate_reg_no, validate_uscc
from spotcheck.directory.choices import (
    AvoidanceReason,
    EntityType,
    Gender,
    IdType,
    InspectorCategory,
    InspectorStatus,
    RegStatus,
    RiskClass,
    RiskSource,
)

_INDUSTRY_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")


class Tag(models.Model):
    """A classification tag (分类标注) such as 小额贷款公司 or 保安服务公司."""

    code = models.SlugField(_("标签代码"), max_length=40, unique=True)
    name = models.CharField(_("标签名称"), max_length=60, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("标注部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tags",
    )

    class Meta:
        verbose_name = _("分类标签")
        verbose_name_plural = _("分类标签")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Speciality(models.Model):
    """An inspector's 业务专长 (食品, 特种设备, 地方金融 …)."""

    code = models.SlugField(_("专长代码"), max_length=40, unique=True)
    name = models.CharField(_("专长名称"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("业务专长")
        verbose_name_plural = _("业务专长")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ItemType(models.Model):
    """A type of inspection item an inspector may be qualified for (抽查事项类别)."""

    code = models.SlugField(_("类别代码"), max_length=40, unique=True)
    name = models.CharField(_("类别名称"), max_length=80, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("主管部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="item_types",
    )

    class Meta:
        verbose_name = _("抽查事项类别")
        verbose_name_plural = _("抽查事项类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Entity(TimeStampedModel):
    """An inspection object (检查对象): a market entity in 检查对象名录库.

    The 统一社会信用代码 is checked against GB 32100-2015.  A malformed code is
    refused; a code that only fails the check character is kept when an
    administrator gives a reason (legal early pilot codes fail the check).
    """

    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    uscc_override_reason = models.CharField(
        _("校验位不符保存理由"),
        max_length=200,
        blank=True,
        help_text=_("仅当代码校验位不符但确属合法的早期试点代码时填写"),
    )
    reg_no = models.CharField(_("注册号"), max_length=15, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    entity_type = models.CharField(_("主体类型"), max_length=20, choices=EntityType.choices)
    enterprise_type_code = models.CharField(_("企业类型代码"), max_length=10, blank=True)
    legal_rep_name = models.CharField(_("法定代表人（负责人）"), max_length=50)
    legal_rep_id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    legal_rep_id_masked = models.CharField(
        _("证件号码（脱敏）"), max_length=40, blank=True, help_text=_("只保存脱敏后的号码")
    )
    legal_rep_phone = models.CharField(_("法定代表人电话"), max_length=20, blank=True)
    liaison_name = models.CharField(_("联络员"), max_length=50, blank=True)
    liaison_phone = models.CharField(_("联络员电话"), max_length=20, blank=True)
    address = models.CharField(_("住所"), max_length=255)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="entities"
    )
    business_address = models.CharField(_("经营场所"), max_length=255, blank=True)
    reg_authority_code = models.CharField(_("登记机关代码"), max_length=20, blank=True)
    reg_authority_name = models.CharField(_("登记机关"), max_length=100)
    jurisdiction_unit = models.CharField(_("管辖单位"), max_length=100, blank=True)
    industry_code = models.CharField(
        _("国民经济行业代码"), max_length=5, blank=True, help_text=_("GB/T 4754，如 J6639")
    )
    tags = models.ManyToManyField(
        Tag, verbose_name=_("分类标签"), blank=True, related_name="entities"
    )
    licences = models.CharField(_("许可证"), max_length=255, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    reg_capital = models.DecimalField(
        _("注册资本（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reg_status = models.CharField(
        _("登记状态"), max_length=20, choices=RegStatus.choices, default=RegStatus.ACTIVE
    )
    risk_class = models.CharField(
        _("信用风险分类"), max_length=1, choices=RiskClass.choices, blank=True, db_index=True
    )
    risk_source = models.CharField(
        _("分类来源"), max_length=20, choices=RiskSource.choices, blank=True
    )
    risk_as_of = models.DateField(_("分类日期"), null=True, blank=True)
    on_abnormal_list = models.BooleanField(_("列入经营异常名录"), default=False)
    on_serious_illegal_list = models.BooleanField(_("列入严重违法失信名单"), default=False)
    supervising_departments = models.ManyToManyField(
        Department, verbose_name=_("监管部门"), related_name="supervised_entities"
    )

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象名录库")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc__isnull=False) | ~models.Q(reg_no=""),
                name="entity_has_uscc_or_reg_no",
                violation_error_message=_("统一社会信用代码和注册号至少填写一项"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The code shown in notices: 统一社会信用代码/注册号."""
        return self.uscc or self.reg_no

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.uscc == "":
            self.uscc = None
        if self.uscc:
            result = validate_uscc(self.uscc)
            self.uscc = result.code
            if result.status is UsccStatus.MALFORMED:
                errors["uscc"] = result.message
            elif result.status is UsccStatus.CHECK_FAILED and not self.uscc_override_reason.strip():
                errors["uscc"] = result.message
            elif result.status is UsccStatus.VALID:
                self.uscc_override_reason = ""
        if self.reg_no and (message := validate_reg_no(self.reg_no)):
            errors["reg_no"] = message
        if not self.uscc and not self.reg_no:
            errors["uscc"] = str(_("统一社会信用代码和注册号至少填写一项"))
        if self.industry_code and not _INDUSTRY_RE.match(self.industry_code):
            errors["industry_code"] = str(_("行业代码应为门类字母加2至4位数字，如 J6639"))
        if self.risk_class and not self.risk_as_of:
            errors["risk_as_of"] = str(_("填写信用风险分类时须填写分类日期"))
        if self.risk_class and not self.risk_source:
            errors["risk_source"] = str(_("填写信用风险分类时须填写分类来源"))
        if errors:
            raise ValidationError(errors)


class EntityRiskHistory(models.Model):
    """A change of an entity's credit-risk class, kept for the record."""

    entity = models.ForeignKey(
        Entity, verbose_name=_("检查对象"), on_delete=models.CASCADE, related_name="risk_history"
    )
    old_class = models.CharField(_("原分类"), max_length=1, choices=RiskClass.choices, blank=True)
    new_class = models.CharField(_("新分类"), max_length=1, choices=RiskClass.choices, blank=True)
    source = models.CharField(_("分类来源"), max_length=20, choices=RiskSource.choices, blank=True)
    as_of = models.DateField(_("分类日期"), null=True, blank=True)
    changed_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("信用风险分类变更")
        verbose_name_plural = _("信用风险分类变更")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entity}: {self.old_class or '-'} → {self.new_class or '-'}"


class Inspector(TimeStampedModel):
    """A person in 执法检查人员名录库; only a valid 执法证 holder on duty can be drawn."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    id_masked = models.CharField(_("身份证号码（脱敏）"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="inspectors"
    )
    unit = models.CharField(_("所在科室/所"), max_length=100, blank=True)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    category = models.CharField(_("人员类别"), max_length=20, choices=InspectorCategory.choices)
    certificate_no = models.CharField(_("执法证号"), max_length=30, unique=True)
    certificate_authority = models.CharField(_("发证机关"), max_length=100)
    certificate_valid_from = models.DateField(_("证件有效期自"))
    certificate_valid_until = models.DateField(_("证件有效期至"))
    specialities = models.ManyToManyField(
        Speciality, verbose_name=_("业务专长"), blank=True, related_name="inspectors"
    )
    qualified_item_types = models.ManyToManyField(
        ItemType, verbose_name=_("可检查事项类别"), blank=True, related_name="inspectors"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=InspectorStatus.choices, default=InspectorStatus.ON_DUTY
    )
    is_expert = models.BooleanField(_("专家"), default=False)
    expert_field = models.CharField(_("专家领域"), max_length=100, blank=True)
    expert_org = models.CharField(_("专家所在单位"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspector",
    )

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")
        ordering = ["department__path", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"

    def clean(self) -> None:
        if (
            self.certificate_valid_from
            and self.certificate_valid_until
            and self.certificate_valid_until < self.certificate_valid_from
        ):
            raise ValidationError(
                {"certificate_valid_until": _("证件有效期截止日期不能早于起始日期")}
            )
        if self.is_expert and not self.expert_field:
            raise ValidationError({"expert_field": _("专家须填写专家领域")})

    def certificate_valid_on(self, day: dt.date) -> bool:
        return self.certificate_valid_from <= day <= self.certificate_valid_until

    def is_drawable_on(self, day: dt.date) -> bool:
        """Tell whether the inspector may be drawn on that day (在岗 and a valid 执法证)."""
        return self.status == InspectorStatus.ON_DUTY and self.certificate_valid_on(day)


class Avoidance(models.Model):
    """A 回避 relation: this inspector must never be matched with this entity."""

    inspector = models.ForeignKey(
        Inspector,
        verbose_name=_("执法检查人员"),
        on_delete=models.CASCADE,
        related_name="avoidances",
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("检查对象"), on_delete=models.CASCADE, related_name="avoidances"
    )
    reason_type = models.CharField(_("回避原因"), max_length=20, choices=AvoidanceReason.choices)
    reason = models.CharField(_("情况说明"), max_length=255)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "entity"],
                name="avoidance_unique_pair",
                violation_error_message=_("该人员与该检查对象的回避关系已存在"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector.name} 回避 {self.entity.name}"
