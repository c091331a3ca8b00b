"""Choice sets of the two directories (检查对象名录库, 执法检查人员名录库)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL = "individual", _("个体工商户")
    COOPERATIVE = "cooperative", _("农民专业合作社")
    FOREIGN_REP = "foreign_rep", _("外国企业常驻代表机构")


class RegStatus(models.TextChoices):
    """登记状态; the non-active ones drive result codes 9–12."""

    ACTIVE = "active", _("存续（在业）")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")
    MOVED_OUT = "moved_out", _("迁出")
    WITHDRAWN = "withdrawn", _("撤销")
    SUSPENDED = "suspended", _("歇业")


class RiskClass(models.TextChoices):
    """信用风险分类 (国市监信发〔2022〕6号): an internal basis, not a credit rating."""

    A = "A", _("A类 信用风险低")
    B = "B", _("B类 信用风险一般")
    C = "C", _("C类 信用风险较高")
    D = "D", _("D类 信用风险高")


class RiskSource(models.TextChoices):
    SAMR_GENERAL = "samr_general", _("市场监管总局通用型企业信用风险分类")
    DEPARTMENT = "department", _("部门专业领域分类")
    INTERNET_PLUS = "internet_plus", _("“互联网+监管”系统推送")
    OTHER = "other", _("其他")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    OTHER = "other", _("其他证件")


class InspectorCategory(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", _("行政执法类公务员")
    QUALIFIED = "qualified", _("具有行政执法资格的工作人员")
    ROUTINE = "routine", _("从事日常监管工作的人员")


class InspectorStatus(models.TextChoices):
    ON_DUTY = "on_duty", _("在岗")
    LEAVE = "leave", _("休假")
    SECONDED = "seconded", _("借调")
    DISABLED = "disabled", _("停用")
    RETIRED = "retired", _("退休")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class AvoidanceReason(models.TextChoices):
    """Why an inspector must not check an entity (回避)."""

    RELATIVE = "relative", _("近亲属或共同生活关系")
    FORMER_EMPLOYER = "former_employer", _("曾在该单位任职")
    SHAREHOLDING = "shareholding", _("持股或其他经济利益")
    RECENT_CHECK = "recent_check", _("近期检查过该对象")
    PARTY_REQUEST = "party_request", _("当事人申请回避")
    OTHER = "other", _("其他利害关系")
