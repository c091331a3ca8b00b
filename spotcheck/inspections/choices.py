"""The choices of the inspections context: record states (未录入 → 已录入 → 待审核 → 已退回 /
已通过), notices, signers, versions, reviews, submissions, conflicts and merged visits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordState(models.TextChoices):
    PENDING = "pending", _("未录入")
    ENTERED = "entered", _("已录入")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")


class NoticeMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    WRITTEN = "written", _("书面")
    SMS = "sms", _("短信")


class SignerRole(models.TextChoices):
    LEGAL_REP = "legal_rep", _("法定代表人")
    PERSON_IN_CHARGE = "in_charge", _("负责人")


class VersionKind(models.TextChoices):
    SIGNED = "signed", _("签字确认")
    CORRECTION = "correction", _("更正")


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("通过")
    RETURNED = "returned", _("退回")


class SubmissionKind(models.TextChoices):
    """What a client-identified submission was: the same id never stands for two kinds."""

    ENTRIES = "entries", _("录入")
    SIGN = "sign", _("签字确认")


class ConflictSettlement(models.TextChoices):
    """How an entry conflict was settled."""

    KEPT_CURRENT = "kept_current", _("保留了服务器上的内容")
    KEPT_DRAFT = "kept_draft", _("采用了冲突的内容")
    MERGED = "merged", _("合并编辑")


class MergeOutcome(models.TextChoices):
    """The decision on a proposal to visit an enterprise once for two tasks."""

    ACCEPTED = "accepted", _("已合并")
    REFUSED = "refused", _("不合并")
