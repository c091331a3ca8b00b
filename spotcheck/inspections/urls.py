from __future__ import annotations

from django.urls import path

from spotcheck.inspections import field_views, views

app_name = "inspections"

# The inbox and the review (审核) are workflow pages served under this namespace:
# spotcheck.workflow.record_urls, joined to these routes in config/urls.py.

# ---------------------------------------------------------------- records, merged visits
urlpatterns = [
    path("tasks/<int:task_pk>/records/", views.record_list, name="record_list"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/print.pdf", views.record_pdf, name="record_pdf"),
    path("merges/", views.merge_list, name="merge_list"),
    path("merges/<int:record_pk>/into/<int:into_pk>/", views.merge_decide, name="merge_decide"),
]

# ---------------------------------------------------------------- field work (现场检查)
urlpatterns += [
    path("field/", field_views.field_home, name="field_home"),
    path("field/sw.js", field_views.service_worker, name="field_sw"),
    path("field/manifest.webmanifest", field_views.web_app_manifest, name="field_manifest"),
    path("field/records/<int:pk>/", field_views.record_overview, name="field_record"),
    path(
        "field/records/<int:pk>/schedule/",
        field_views.record_schedule_view,
        name="field_schedule",
    ),
    path("field/records/<int:pk>/notice.pdf", field_views.notice_pdf, name="field_notice_pdf"),
    path(
        "field/records/<int:pk>/notice/",
        field_views.notice_delivery_view,
        name="field_notice_delivery",
    ),
    path("field/records/<int:pk>/fill/", field_views.record_fill, name="field_fill"),
    path("field/records/<int:pk>/sync/", field_views.record_sync, name="field_sync"),
    path(
        "field/records/<int:pk>/conflicts/<int:conflict_pk>/settle/",
        field_views.conflict_settle_view,
        name="field_conflict_settle",
    ),
    path("field/records/<int:pk>/sign/", field_views.record_sign_view, name="field_sign"),
    path("field/records/<int:pk>/photos/", field_views.photo_upload, name="field_photo_upload"),
    path("field/photos/<int:photo_pk>/", field_views.photo_view, name="field_photo"),
    path(
        "field/photos/<int:photo_pk>/delete/",
        field_views.photo_delete,
        name="field_photo_delete",
    ),
    path(
        "field/records/<int:pk>/signatures/<str:kind>/",
        field_views.signature_view,
        name="field_signature",
    ),
    path(
        "field/records/<int:pk>/signatures/<str:kind>/<int:ref>/",
        field_views.signature_view,
        name="field_signature_member",
    ),
    path("field/records/<int:pk>/final/", field_views.record_final, name="field_final"),
    path("field/records/<int:pk>/final.pdf", field_views.record_final_pdf, name="field_final_pdf"),
    path("field/records/<int:pk>/resign/", field_views.record_resign_view, name="field_resign"),
    path(
        "field/records/<int:pk>/confirm/",
        field_views.lead_confirm_view,
        name="field_lead_confirm",
    ),
]
