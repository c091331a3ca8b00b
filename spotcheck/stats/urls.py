from __future__ import annotations

from django.urls import path

from spotcheck.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tasks/<int:pk>/report.pdf", views.task_report, name="task_report"),
]
