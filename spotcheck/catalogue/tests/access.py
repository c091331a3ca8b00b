# ruff: noqa: E501  -- one row per URL, one column per persona
"""The 抽查事项清单 staff pages (rows of the access matrix, docs/access.md).

Every signed-in official reads the list and the items; admins change their own subtree's.
The items are the market department's and the police department's items of the
campaigns world.  The import page is for whoever may change items (the lead office
keeps its own); the exports and the import template are open to every signed-in
official (the catalogue is public).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spotcheck.catalogue.models import InspectionItem
from spotcheck.testing.access_matrix import LOGIN, NOT_FOUND, OK, Case, Request, World


def _item(w: World, which: str) -> int:
    world = w.app["campaigns"]
    return (world.market_item if which == "own" else world.police_item).pk


def _import_bad_file(w: World) -> Request:
    # a file that is not a catalogue: the page lists the error and imports nothing
    upload = SimpleUploadedFile("清单.csv", "不是清单\n".encode(), content_type="text/csv")
    return Request("post", reverse("catalogue:transfer"), {"file": upload})


def _items() -> list[tuple[int, str]]:
    return list(InspectionItem.objects.order_by("pk").values_list("pk", "name"))


WRITERS = (LOGIN, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)
SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)

# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                                    anonymous platform lead       dept       other      parent     insp       other      auditor
    "catalogue:item_list":         Case(lambda w: Request("get", reverse("catalogue:item_list")),                       (LOGIN,    OK,      OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "catalogue:item_create":       Case(lambda w: Request("get", reverse("catalogue:item_create")),                     (LOGIN,    OK,      OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "catalogue:item_detail own":   Case(lambda w: Request("get", reverse("catalogue:item_detail", args=[_item(w, "own")])),   (LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)),
    "catalogue:item_edit own":     Case(lambda w: Request("get", reverse("catalogue:item_edit", args=[_item(w, "own")])),     (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "catalogue:item_edit other":   Case(lambda w: Request("get", reverse("catalogue:item_edit", args=[_item(w, "other")])),   (LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "catalogue:transfer":          Case(lambda w: Request("get", reverse("catalogue:transfer")),        WRITERS),
    "catalogue:transfer import":   Case(_import_bad_file,                                                WRITERS, _items),
    "catalogue:template":          Case(lambda w: Request("get", reverse("catalogue:template")),        SIGNED_IN),
    "catalogue:export_csv":        Case(lambda w: Request("get", reverse("catalogue:export_csv")),      SIGNED_IN),
    "catalogue:export_xlsx":       Case(lambda w: Request("get", reverse("catalogue:export_xlsx")),     SIGNED_IN),
    "catalogue:export_xlsx all":   Case(lambda w: Request("get", reverse("catalogue:export_xlsx") + "?department=all"), SIGNED_IN),
}
# fmt: on
