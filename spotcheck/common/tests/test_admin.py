"""The admin (系统维护) speaks Chinese: every column, every filter, every state."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django_tasks.base import Task as BackgroundTask
from django_tasks_db.models import DBTaskResult

from spotcheck.common.admin import TASK_LABELS

CJK = re.compile(r"[\u4e00-\u9fff]")
SPOTCHECK = Path(__file__).resolve().parents[2]


def _columns() -> list[tuple[str, str, str]]:
    """(model, column, header) of every list_display column of every registered model."""
    request = RequestFactory().get("/")
    found = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.get_list_display(request):
            header = label_for_field(name, model, model_admin)
            found.append((model._meta.label, str(name), str(header)))
    return found


def _filters() -> list[tuple[str, str, str]]:
    request = RequestFactory().get("/")
    found = []
    for model, model_admin in admin.site._registry.items():
        for spec in model_admin.get_list_filter(request):
            if isinstance(spec, str):
                title = model._meta.get_field(spec.split("__")[0]).verbose_name
            elif isinstance(spec, tuple):
                title = model._meta.get_field(spec[0]).verbose_name
            else:
                title = spec.title
            found.append((model._meta.label, str(spec), str(title)))
    return found


def test_every_column_header_of_the_admin_is_chinese() -> None:
    # given / when
    with translation.override("zh-hans"):
        columns = _columns()
        english = [c for c in columns if not CJK.search(c[2])]

    # then
    assert len(columns) > 50
    assert english == []


def test_every_filter_of_the_admin_has_a_chinese_title() -> None:
    # given / when
    with translation.override("zh-hans"):
        english = [f for f in _filters() if not CJK.search(f[2])]

    # then
    assert english == []


def test_every_background_task_of_the_platform_has_a_chinese_name() -> None:
    # given: every @task() in spotcheck/<app>/tasks.py
    tasks = []
    for path in SPOTCHECK.glob("*/tasks.py"):
        module = importlib.import_module(f"spotcheck.{path.parent.name}.tasks")
        tasks += [v for v in vars(module).values() if isinstance(v, BackgroundTask)]

    # when
    unnamed = [t.module_path for t in tasks if t.module_path not in TASK_LABELS]

    # then
    assert len(tasks) == 2
    assert unnamed == []


@pytest.mark.django_db
def test_the_background_task_list_shows_chinese_headers_and_states(
    persona_client: Callable[[str], Client],
) -> None:
    # given: one queued delivery
    DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        priority=0,
        task_path="spotcheck.publicity.tasks.deliver_outbox_message",
        queue_name="default",
        backend_name="default",
        run_after=DBTaskResult._meta.get_field("run_after").to_python("9999-01-01T00:00:00Z"),
        exception_class_path="",
        traceback="",
    )

    # when
    page = persona_client("platform_admin").get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist")
    )

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "报送国家企业信用信息公示系统" in html
    assert "等待执行" in html
    for header in ("后台任务", "状态", "加入队列时间", "优先级", "队列"):
        assert f">{header}</a>" in html
    assert "deliver_outbox_message" not in html
    assert ">Ready<" not in html
