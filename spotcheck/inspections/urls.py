from __future__ import annotations

from django.urls import path

from spotcheck.inspections import views

app_name = "inspections"

urlpatterns = [
    path("tasks/<int:task_pk>/records/", views.record_list, name="record_list"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/print.pdf", views.record_pdf, name="record_pdf"),
    path("inbox/", views.inbox, name="inbox"),
    path("merges/", views.merge_list, name="merge_list"),
    path("merges/<int:record_pk>/into/<int:into_pk>/", views.merge_decide, name="merge_decide"),
]
