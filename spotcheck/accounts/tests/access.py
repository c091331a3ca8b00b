# ruff: noqa: E501  -- one row per URL, one column per persona
"""Login and logout, for every persona (rows of the access matrix, docs/access.md)."""

from __future__ import annotations

from django.urls import reverse

from spotcheck.common.access_matrix import DONE, OK, Case, Request

# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                          anonymous platform lead  dept  other parent insp  other auditor
    # a signed-in user on the login page is sent on to the workbench
    "accounts:login":  Case(lambda w: Request("get", reverse("accounts:login"), next_url=reverse("common:home")),     (OK,   DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE)),
    "accounts:logout": Case(lambda w: Request("post", reverse("accounts:logout"), next_url=reverse("publicity:home")), (DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE)),
}
# fmt: on
