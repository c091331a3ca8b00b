# ruff: noqa: E501  -- one row per URL, one column per persona
"""统计分析 and the 抽查情况报告 PDF (rows of the access matrix, docs/access.md).

Platform admin, lead office and auditor see every department's figures; a department
admin its subtree's, and the reports of the tasks its subtree takes part in; inspectors
have no statistics (404).  The joint task is the campaigns world's (lead office, market,
police); the market-only task is the followup world's (lead office and market).
"""

from __future__ import annotations

from django.urls import reverse

from spotcheck.testing.access_matrix import LOGIN, NOT_FOUND, OK, Case, Request, World


def _report(which: str):  # type: ignore[no-untyped-def]
    def request(w: World) -> Request:
        task = w.app["campaigns"].task if which == "joint" else w.app["followup"].task
        return Request("get", reverse("stats:task_report", args=[task.pk]))

    return request


# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                       anonymous platform lead  dept  other      parent insp       other      auditor
    "stats:dashboard":             Case(lambda w: Request("get", reverse("stats:dashboard")),             (LOGIN,    OK,      OK,   OK,   OK,        OK,    NOT_FOUND, NOT_FOUND, OK)),
    "stats:dashboard export":      Case(lambda w: Request("get", reverse("stats:dashboard") + "?export=all"), (LOGIN, OK,     OK,   OK,   OK,        OK,    NOT_FOUND, NOT_FOUND, OK)),
    "stats:task_report joint":     Case(_report("joint"),                                                  (LOGIN,    OK,      OK,   OK,   OK,        OK,    NOT_FOUND, NOT_FOUND, OK)),
    # the police department takes no part in this task
    "stats:task_report market":    Case(_report("market"),                                                 (LOGIN,    OK,      OK,   OK,   NOT_FOUND, OK,    NOT_FOUND, NOT_FOUND, OK)),
}
# fmt: on
