"""The attempt a draw service acts on: locked for the transaction, or the drawn one."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from spotcheck.campaigns.models import Task
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt


def locked(attempt: DrawAttempt) -> DrawAttempt:
    """Read the attempt again, its row locked until the transaction ends."""
    return DrawAttempt.objects.select_for_update().select_related("task").get(pk=attempt.pk)


def drawn_for(task: Task) -> DrawAttempt:
    """The task's drawn attempt (the newest), or a refusal: the task is not drawn yet."""
    attempt = task.draw_attempts.filter(status=AttemptStatus.DRAWN).order_by("-number").first()
    if attempt is None:
        raise ValidationError("任务尚未完成抽取")
    return attempt
