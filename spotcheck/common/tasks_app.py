"""django-tasks-db under a Chinese name in the admin (its app name is a plain string)."""

from __future__ import annotations

from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"
