# ruff: noqa: E501  -- one row per URL, one column per persona
"""The 抽查事项清单 staff pages (rows of the access matrix, docs/access.md).

Every signed-in official reads the list and the items; admins change their own subtree's.
The items are the market department's and the police department's items of the
campaigns world.
"""

from __future__ import annotations

from django.urls import reverse

from spotcheck.common.access_matrix import LOGIN, NOT_FOUND, OK, Case, Request, World


def _item(w: World, which: str) -> int:
    world = w.app["campaigns"]
    return (world.market_item if which == "own" else world.police_item).pk


# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                                    anonymous platform lead       dept       other      parent     insp       other      auditor
    "catalogue:item_list":         Case(lambda w: Request("get", reverse("catalogue:item_list")),                       (LOGIN,    OK,      OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "catalogue:item_create":       Case(lambda w: Request("get", reverse("catalogue:item_create")),                     (LOGIN,    OK,      OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "catalogue:item_detail own":   Case(lambda w: Request("get", reverse("catalogue:item_detail", args=[_item(w, "own")])),   (LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)),
    "catalogue:item_edit own":     Case(lambda w: Request("get", reverse("catalogue:item_edit", args=[_item(w, "own")])),     (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "catalogue:item_edit other":   Case(lambda w: Request("get", reverse("catalogue:item_edit", args=[_item(w, "other")])),   (LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
}
# fmt: on
