"""The audit trail: who did what to which record, with the change itself.

The table is append-only: entries are hash-chained (``spotcheck.audit.chain``) and the
database refuses UPDATE and DELETE on it (triggers, ``spotcheck.audit.triggers``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.audit.chain import ChainEntry


class AuditEvent(models.Model):
    """One write to the platform, recorded in the same transaction as the write."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    event_type = models.CharField(_("事件类型"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象名称"), max_length=255, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    hash_algorithm = models.CharField(_("哈希算法"), max_length=16)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    entry_hash = models.CharField(_("本条哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.event_type}"

    def chain_entry(self) -> ChainEntry:
        """Return the hashed fields of this entry as stored."""
        return ChainEntry(
            seq=self.seq,
            time=self.created_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=self.event_type,
            target_type=self.target_type,
            target_id=self.target_id,
            target_label=self.target_label,
            data=self.data,
            prev=self.prev_hash,
            alg=self.hash_algorithm,
        )
