"""Choice sets of directory imports, with the allowed status transitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ENTITIES = "entities", _("检查对象")
    INSPECTORS = "inspectors", _("执法检查人员")


class ImportStatus(models.TextChoices):
    """Where an import job stands.

    queued → running → succeeded: the file was applied (with ``valid_only``, its valid
    rows), or a dry run finished; rejected: nothing was applied because the file cannot
    be read or rows were rejected; failed: the task itself broke, its error is shown.
    """

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在导入")
    SUCCEEDED = "succeeded", _("已完成")
    REJECTED = "rejected", _("未导入")
    FAILED = "failed", _("运行出错")


TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.QUEUED: frozenset({ImportStatus.RUNNING, ImportStatus.FAILED}),
    ImportStatus.RUNNING: frozenset(
        {ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED}
    ),
    ImportStatus.SUCCEEDED: frozenset(),
    ImportStatus.REJECTED: frozenset(),
    ImportStatus.FAILED: frozenset(),
}

FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED})

# what a job given up as interrupted says (its worker stopped answering; see services)
STALE_MESSAGE = (
    "后台任务中断：处理该文件的后台进程已停止（超过2分钟没有响应）。"
    "导入在一个事务中进行，名录库没有写入任何数据，请重新导入该文件。"
)
# what a queued job says when the task queue no longer knows its task (a Redis restarted
# empty, see services.import_jobs_fail_stale)
LOST_MESSAGE = (
    "后台任务丢失：该文件排队等待时，后台任务队列已重启，排队的任务没有保留下来。"
    "导入尚未开始，名录库没有写入任何数据，请重新导入该文件。"
)
# what a job says when its task could not be queued at all (the queue is down, see
# tasks.import_job_enqueue)
QUEUE_DOWN_MESSAGE = (
    "后台任务队列暂时不可用，本次导入未开始，名录未作任何改动；请稍后重新上传文件。"
)
