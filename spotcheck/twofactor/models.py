"""An administrator's TOTP authenticator (RFC 6238): optional second step at sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TotpDevice(models.Model):
    """The shared secret of one user's authenticator app; confirmed once a code matched."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="totp_device",
    )
    secret = models.CharField(_("密钥（Base32）"), max_length=64)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    # the last 30-second step accepted: a code is good once only
    last_step = models.BigIntegerField(_("最后使用的时间步"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("两步验证设备")
        verbose_name_plural = _("两步验证设备")

    def __str__(self) -> str:
        return f"{self.user} 的验证器"
