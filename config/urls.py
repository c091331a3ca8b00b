from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from spotcheck.inspections import urls as inspections_urls
from spotcheck.workflow import record_urls

admin.site.site_header = "spotcheck 双随机、一公开监管平台 · 系统维护"
admin.site.site_title = "spotcheck 系统维护"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("", include("spotcheck.publicity.urls")),
    path("accounts/2fa/", include("spotcheck.twofactor.urls")),
    path("accounts/", include("spotcheck.accounts.urls")),
    path("workbench/", include("spotcheck.common.urls")),
    path("directory/", include("spotcheck.directory.urls")),
    path("catalogue/", include("spotcheck.catalogue.urls")),
    path("", include("spotcheck.campaigns.urls")),
    path("", include("spotcheck.draws.urls")),
    path("", include("spotcheck.deadlines.urls")),
    # the workflow pages on records (inbox, review) first, under the inspections' names
    path(
        "",
        include(
            (record_urls.urlpatterns + inspections_urls.urlpatterns, inspections_urls.app_name)
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
