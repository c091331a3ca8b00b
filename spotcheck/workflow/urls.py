from __future__ import annotations

from django.urls import path

from spotcheck.workflow import views

app_name = "workflow"

urlpatterns = [
    path("tasks/<int:pk>/grouping/match/", views.match_view, name="match"),
]
