from __future__ import annotations

from django.urls import path

from spotcheck.followup import views

app_name = "followup"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:action>/", views.case_act, name="case_act"),
    path(
        "cases/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
]
