# ruff: noqa: E501  -- one row per URL, one column per persona
"""Task board, tasks and plans (rows of the access matrix, docs/access.md).

The task is the lead office's (晋州市人民政府办公室) joint task, published, with the market
and police departments taking part; the 石家庄 parent admin sees it through 晋州 market.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse

from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request, World


def build(w: World) -> SimpleNamespace:
    market_item = make_item(w.departments.market, "SC-ACCESS-1")
    police_item = make_item(w.departments.police, "GA-ACCESS-1")
    lead_item = make_item(w.departments.lead_office, "ZF-ACCESS-1")
    task = make_task(
        w.departments,
        w.regions,
        w.users["lead_admin"],
        [
            (w.departments.lead_office, [lead_item]),
            (w.departments.market, [market_item]),
            (w.departments.police, [police_item]),
        ],
        state=TaskState.PUBLISHED,
    )
    return SimpleNamespace(
        task=task, market_item=market_item, police_item=police_item, lead_item=lead_item
    )


def _task(w: World) -> Task:
    return w.app["campaigns"].task


def _states() -> list[str]:
    return list(Task.objects.values_list("state", flat=True))


def _step(w: World) -> Request:
    # 开始检查 needs a matched task: the lead office is refused with the blockers named
    # (the step is posted confirmed: without it the lead office would get the confirmation)
    url = reverse("campaigns:task_step", args=[_task(w).pk, "start_checking"])
    return Request(
        "post", url, {"confirmed": "1"}, reverse("campaigns:task_detail", args=[_task(w).pk])
    )


# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                                   anonymous platform lead       dept       other      parent     insp       other      auditor
    "campaigns:task_board":      Case(lambda w: Request("get", reverse("campaigns:task_board")),                       (LOGIN,    OK,      OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "campaigns:task_create":     Case(lambda w: Request("get", reverse("campaigns:task_create")),                      (LOGIN,    OK,      OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "campaigns:task_detail":     Case(lambda w: Request("get", reverse("campaigns:task_detail", args=[_task(w).pk])),  (LOGIN,    OK,      OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, OK)),
    "campaigns:task_edit":       Case(lambda w: Request("get", reverse("campaigns:task_edit", args=[_task(w).pk])),    (LOGIN,    OK,      OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "campaigns:task_step":       Case(_step,                                                                            (LOGIN,    DONE,    DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), _states),
    "campaigns:plan_list":       Case(lambda w: Request("get", reverse("campaigns:plan_list")),                        (LOGIN,    OK,      OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "campaigns:plan_create":     Case(lambda w: Request("get", reverse("campaigns:plan_create")),                      (LOGIN,    OK,      OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
}
# fmt: on
