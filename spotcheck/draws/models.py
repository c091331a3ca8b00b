"""Draw attempts of a task (DRAW-v1): commitments, announcement, reveals, result.

Every attempt is kept, including refused, abandoned and superseded ones, so a
redraw is visible.  An attempt after the first is a redraw request (待批准) until the
official of another role it names approves it (docs/domain/redraw.md).  The frozen
frame, pool and the private avoidance openings live as files under
MEDIA_ROOT/draws/<task>/<attempt>/; their hashes are in the announcement.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department
from spotcheck.campaigns.models import Task
from spotcheck.core import drawflow
from spotcheck.core.draw import OfficialCommitment
from spotcheck.draws.choices import AttemptStatus, ObjectState, ReplacementReason


class DrawAttempt(models.Model):
    """One attempt to draw a task; attempt 2 and later need a reason and an approval.

    A later attempt is first a request (``REQUESTED``) naming its approver; it collects
    commitments only once that official approved it (``approved_at``).  A request made
    on a drawn task names the attempt it would supersede (``supersedes``).
    """

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="draw_attempts"
    )
    number = models.PositiveSmallIntegerField(_("第几次"))
    status = models.CharField(
        _("状态"), max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.COMMITTING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    redraw_reason = models.CharField(_("重新抽取理由"), max_length=255, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    refused_reason = models.CharField(_("不批准理由"), max_length=255, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("申请作废的抽取"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redraw_requests",
        help_text=_("在“已确认”或“编组中”申请重新抽取时，申请作废的已抽取的那一次"),
    )
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    confirmations = models.JSONField(
        _("作废时各部门的确认记录"),
        default=list,
        blank=True,
        help_text=_("作废时留存各参与部门确认派发名单的时间；新一次抽取派发后须重新确认"),
    )
    primary_source = models.JSONField(_("公共随机源"), null=True, blank=True)
    announcement = models.TextField(_("公告（规范JSON）"), blank=True)
    announcement_sha256 = models.CharField(_("公告哈希"), max_length=64, blank=True)
    announced_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    public_value_used = models.CharField(
        _("采用的公共随机源"), max_length=10, default="none", help_text=_("none/primary/fallback")
    )
    public_value = models.CharField(_("公共随机值"), max_length=400, blank=True)
    drand_signature = models.CharField(
        _("drand签名"), max_length=192, blank=True, help_text=_("十六进制；随机值是其SHA-256")
    )
    drand_previous_signature = models.CharField(
        _("drand前一轮签名"), max_length=192, blank=True, help_text=_("仅链式drand（default链）")
    )
    seed = models.CharField(_("种子"), max_length=64, blank=True)
    result = models.TextField(_("抽取结果（规范JSON）"), blank=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    abandoned_reason = models.CharField(_("放弃理由"), max_length=255, blank=True)
    final_result = models.TextField(
        _("最终匹配结果（规范JSON）"), blank=True, help_text=_("DRAW-v1.1 final.json")
    )
    matched_at = models.DateTimeField(_("随机匹配时间"), null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("随机匹配人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("抽取记录")
        verbose_name_plural = _("抽取记录")
        ordering = ["task", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="draw_attempt_number_unique"),
            # one attempt at a time: a pending request, or one collecting commitments or reveals
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(status__in=["requested", "committing", "announced"]),
                name="draw_attempt_one_live_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} 第{self.number}次抽取"

    @property
    def files_dir(self) -> str:
        return f"draws/{self.task_id}/{self.number}"

    @property
    def has_result(self) -> bool:
        """Tell whether the attempt was drawn (its bundle can be exported and re-run)."""
        return self.status in (AttemptStatus.DRAWN, AttemptStatus.SUPERSEDED)

    def move(self, to: str) -> None:
        """Set the status to ``to`` if the attempt may move there (``core.drawflow``)."""
        try:
            drawflow.check_move(self.status, to)
        except drawflow.IllegalAttemptMove as exc:
            raise ValidationError(str(exc)) from exc
        self.status = to

    def superseding(self) -> DrawAttempt | None:
        """Return the approved redraw that superseded this attempt, if any."""
        return next((r for r in self.redraw_requests.all() if r.approved_at is not None), None)


class DrawOfficial(models.Model):
    """An official who commits to a secret before the announcement and reveals it after."""

    attempt = models.ForeignKey(
        DrawAttempt, verbose_name=_("抽取"), on_delete=models.CASCADE, related_name="officials"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("官员"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    public_id = models.CharField(
        _("公开标识"),
        max_length=40,
        blank=True,
        help_text=_("写入抽取公告和复核数据包的官员标识（如“官员1”），不公开登录名"),
    )
    commitment = models.CharField(_("承诺值"), max_length=64, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    secret = models.CharField(_("公布的秘密值"), max_length=64, blank=True)
    revealed_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺官员")
        verbose_name_plural = _("承诺官员")
        ordering = ["attempt", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "user"], name="draw_official_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}（{self.department}）"

    @property
    def official_id(self) -> str:
        """The identifier hashed into the commitment and published in the bundle.

        Since officials are numbered per attempt (官员1, 官员2 …) no login name is
        published; attempts prepared before that keep the login name they committed with.
        """
        return self.public_id or self.user.username

    def as_commitment(self) -> OfficialCommitment:
        return OfficialCommitment(
            self.official_id, self.department.name, bytes.fromhex(self.commitment)
        )


class DrawnObject(models.Model):
    """An entity dispatched to the participating departments after the draw."""

    attempt = models.ForeignKey(
        DrawAttempt, verbose_name=_("抽取"), on_delete=models.PROTECT, related_name="drawn_objects"
    )
    entity_code = models.CharField(_("统一社会信用代码/注册号"), max_length=18)
    stratum = models.CharField(_("分层"), max_length=40)
    from_reserve = models.BooleanField(_("来自备选名单"), default=False)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("替补对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ObjectState.choices, default=ObjectState.PENDING
    )
    replace_reason = models.CharField(
        _("替补理由"), max_length=12, choices=ReplacementReason.choices, blank=True
    )
    replace_note = models.CharField(_("情况说明"), max_length=255, blank=True)
    replace_number = models.PositiveSmallIntegerField(
        _("本分层第几次替补"),
        null=True,
        blank=True,
        help_text=_("第n次替补取该分层备选名单第n位（DRAW-v1.1 replacements.tsv）"),
    )
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("派发对象")
        verbose_name_plural = _("派发对象")
        ordering = ["attempt", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "entity_code"], name="drawn_object_once_per_attempt"
            )
        ]

    def __str__(self) -> str:
        return self.entity_code


class DepartmentClaim(models.Model):
    """A department's claim (认领) of its objects in a task, and its inspector draw.

    The drawn inspectors are the department's part of the draw's inspector ranking
    (DRAW-v1 §8): deterministic from the attempt's inspectors key and the frozen pool.
    """

    attempt = models.ForeignKey(
        DrawAttempt, verbose_name=_("抽取"), on_delete=models.PROTECT, related_name="claims"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    entity_codes = models.JSONField(_("认领的检查对象"), default=list)
    certificates = models.JSONField(_("抽取的执法证号（按排序）"), default=list)
    pool_count = models.PositiveIntegerField(_("人员库人数"), default=0)
    eligible_count = models.PositiveIntegerField(_("可抽取人数"), default=0)

    class Meta:
        verbose_name = _("部门认领")
        verbose_name_plural = _("部门认领")
        ordering = ["attempt", "department__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "department"], name="department_claim_once_per_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} 认领"
