"""Organisations and access: regions, departments (监管部门) and users."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.access.gates import access_twofactor_for_enrolling
from spotcheck.accounts.choices import DEPARTMENT_ROLES, RegionLevel, Role
from spotcheck.common.models import TimeStampedModel

_REGION_CODE_RE = re.compile(r"^\d{6}$")


def validate_region_code(value: str) -> None:
    """Reject anything that is not a six-digit GB/T 2260 code."""
    if not _REGION_CODE_RE.match(value):
        raise ValidationError(_("行政区划代码应为6位数字（GB/T 2260）"), code="region_code")


class Region(models.Model):
    """A 行政区划 (GB/T 2260): province, prefecture-level city or county."""

    code = models.CharField(
        _("行政区划代码"), max_length=6, unique=True, validators=[validate_region_code]
    )
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Department(TimeStampedModel):
    """A 监管部门 with its place in the hierarchy (e.g. 河北省 → 石家庄市 → 晋州市).

    ``path`` is the chain of ancestor ids ("/1/4/9/") so that "this department and
    everything under it" is one indexed prefix query.
    """

    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    short_name = models.CharField(
        _("简称"), max_length=30, help_text=_("用于任务编号，如“晋州市政府办”")
    )
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("层级路径"), max_length=255, editable=False, db_index=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("监管部门")
        verbose_name_plural = _("监管部门")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pk and self.parent_id:
            ancestor: Department | None = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("上级部门不能是本部门或其下级部门")})
                ancestor = ancestor.parent


class User(AbstractUser):
    """A person who signs in: an official of one department, or a platform-wide role."""

    display_name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Wrong two-step codes in a row, across sign-ins; a right code sets it back to 0.
    # At ``settings.TWO_FACTOR_FAILURE_LIMIT`` the account is locked until an
    # administrator unlocks it (账号管理): no cool-off, the password is known by then.
    twofactor_failures = models.PositiveIntegerField(_("两步验证码连续错误次数"), default=0)
    twofactor_locked_at = models.DateTimeField(_("两步验证锁定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        """Greet officials by name (the admin says “欢迎，…”), not by login."""
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in DEPARTMENT_ROLES and not self.department_id:
            raise ValidationError({"department": _("该角色必须指定所属部门")})

    @property
    def twofactor_locked(self) -> bool:
        """Tell whether too many wrong two-step codes locked the account."""
        return self.twofactor_locked_at is not None

    @property
    def twofactor_applies(self) -> bool:
        """Tell whether this account's role may (and, once enrolled, must) use two steps."""
        return access_twofactor_for_enrolling(self)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""
