"""API tokens: how another system signs in as one platform user (and so with its role)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token of one user; only the SHA-256 of the key is stored.

    A system (a department's business system, the provincial directory) gets its own user
    with the role and department it acts for, and a token of that user; the API then
    applies exactly the user's scope, as the pages do.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属用户"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=100)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True)
    key_sha256 = models.CharField(_("密钥哈希"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"
