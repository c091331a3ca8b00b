"""The routes of the workflow pages on records, at the paths and ``inspections`` names they
always had: config/urls.py serves them in the ``inspections`` namespace, before the
inspections routes."""

from __future__ import annotations

from django.urls import path

from spotcheck.workflow import record_views

urlpatterns = [
    path("inbox/", record_views.inbox, name="inbox"),
    path("field/records/<int:pk>/review/", record_views.record_review_view, name="field_review"),
]
