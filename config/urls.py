from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from spotcheck.campaigns import urls as campaigns_urls
from spotcheck.directory import urls as directory_urls
from spotcheck.draws import urls as draws_urls
from spotcheck.imports import urls as import_urls
from spotcheck.inspections import urls as inspections_urls
from spotcheck.workflow import urls as workflow_urls

admin.site.site_header = "spotcheck 双随机、一公开监管平台 · 系统维护"
admin.site.site_title = "spotcheck 系统维护"
admin.site.index_title = "数据维护"


def joined(namespace: str, *patterns: list) -> tuple[list, str]:
    """One URL namespace made of the routes of a context and of the layers above it.

    A context may not import the layers above it (docs/architecture.md), so pages that
    belong to its namespace but live higher up (the import pages of the directory, the
    workflow pages of a task) are joined to it here; every path and name stays the same.
    """
    return [route for group in patterns for route in group], namespace


urlpatterns = [
    path("", include("spotcheck.publicity.urls")),
    path("accounts/2fa/", include("spotcheck.twofactor.urls")),
    path("accounts/", include("spotcheck.accounts.urls")),
    path("workbench/", include(joined("common", workflow_urls.workbench_patterns))),
    path(
        "directory/",
        include(joined("directory", directory_urls.urlpatterns, import_urls.urlpatterns)),
    ),
    path("catalogue/", include("spotcheck.catalogue.urls")),
    path(
        "",
        include(joined("campaigns", campaigns_urls.urlpatterns, workflow_urls.campaigns_patterns)),
    ),
    path("", include(joined("draws", draws_urls.urlpatterns, workflow_urls.draws_patterns))),
    path("", include("spotcheck.deadlines.urls")),
    path(
        "",
        include(
            joined("inspections", workflow_urls.inspections_patterns, inspections_urls.urlpatterns)
        ),
    ),
    path("followup/", include("spotcheck.followup.urls")),
    path("stats/", include("spotcheck.stats.urls")),
    path("audit/", include("spotcheck.audit.urls")),
    path("api/v1/", include("spotcheck.api.urls")),
    path("maintenance/", admin.site.urls),
]

# Chinese error pages, JSON under /api/ (spotcheck/common/errors.py); used when DEBUG is off.
handler400 = "spotcheck.common.errors.bad_request"
handler403 = "spotcheck.common.errors.permission_denied"
handler404 = "spotcheck.common.errors.page_not_found"
handler500 = "spotcheck.common.errors.server_error"
