# ruff: noqa: E501  -- one row per URL, one column per persona
"""The workbench and the Django admin (rows of the access matrix, docs/access.md).

The Django admin (``/maintenance/``) checks is_staff and model permissions itself for
each of its URLs; only platform admins are staff, so one case stands for the namespace
(``NAMESPACES_COVERED_BY_ONE_CASE``).
"""

from __future__ import annotations

from django.urls import reverse

from spotcheck.testing.access_matrix import ADMIN_LOGIN, LOGIN, OK, Case, Request

# fmt: off
CASES: dict[str, Case] = {
    #                                                                            anonymous    platform lead         dept         other        parent       insp         other        auditor
    "common:home": Case(lambda w: Request("get", reverse("common:home")),       (LOGIN,       OK,      OK,          OK,          OK,          OK,          OK,          OK,          OK)),
    "admin:index": Case(lambda w: Request("get", reverse("admin:index")),       (ADMIN_LOGIN, OK,      ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)),
}
# fmt: on
