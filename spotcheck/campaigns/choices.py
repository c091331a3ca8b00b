"""Plan and task choices; the task states come from the framework-free state machine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.core import taskflow


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草拟")
    PUBLISHED = "published", _("已发布")


class TaskType(models.TextChoices):
    UNDIRECTED = "undirected", _("不定向抽查")
    DIRECTED = "directed", _("定向抽查")


TaskState = models.TextChoices(  # type: ignore[misc]
    "TaskState",
    [(value.upper(), (value, label)) for value, label in taskflow.STATE_LABELS.items()],
)
