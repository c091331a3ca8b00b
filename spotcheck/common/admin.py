"""Chinese column headers for the third-party models in the admin (系统维护).

django-axes and django-tasks-db register their own admin classes; a few of their columns
are methods without a description or fields without a translatable name, which the admin
shows in English (STATUS, ID, TASK NAME).  Their other words are translated in
``locale/zh_Hans``.  The two modules are imported here first, so that their classes are
registered before they are replaced, whatever order the admin loads the apps in.
"""

from __future__ import annotations

import axes.admin
import django_tasks_db.admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

# Each background task of the platform by what it does; ``common/tests/test_admin.py``
# fails when a task of the platform has no name here.
TASK_LABELS = {
    "spotcheck.imports.tasks.run_import_job": "名录导入",
    "spotcheck.publicity.tasks.deliver_outbox_message": "报送国家企业信用信息公示系统",
}


def _replace(model: type, admin_class: type[admin.ModelAdmin]) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, admin_class)


class AccessAttemptAdmin(axes.admin.AccessAttemptAdmin):
    @admin.display(description="状态")
    def status(self, obj: AccessAttempt) -> str:
        return str(super().status(obj))

    @admin.display(description="失效时间")
    def expiration(self, obj: AccessAttempt) -> object:
        return super().expiration(obj)


class TaskResultAdmin(django_tasks_db.admin.DBTaskResultAdmin):
    list_display = (
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: DBTaskResult | None = None
    ) -> list[str]:
        names = {
            "id": "result_id",
            "formatted_traceback": "traceback_text",
            "display_run_after": "run_after_text",
        }
        return [names.get(f, f) for f in super().get_readonly_fields(request, obj)]

    @admin.display(description="后台任务", ordering="task_path")
    def task_label(self, obj: DBTaskResult) -> str:
        return TASK_LABELS.get(obj.task_path, "其他后台任务")

    @admin.display(description="编号")
    def result_id(self, obj: DBTaskResult) -> str:
        return str(obj.id)

    @admin.display(description="错误堆栈")
    def traceback_text(self, obj: DBTaskResult) -> str:
        return self.formatted_traceback(obj)

    @admin.display(description="计划执行时间")
    def run_after_text(self, obj: DBTaskResult) -> object:
        return self.display_run_after(obj)


_replace(AccessAttempt, AccessAttemptAdmin)
_replace(DBTaskResult, TaskResultAdmin)
