from __future__ import annotations

from django.urls import path

from spotcheck.campaigns import views

# The task board and the task page join these routes under the same namespace from
# spotcheck.workflow.urls (config/urls.py).
app_name = "campaigns"

urlpatterns = [
    path("tasks/new/", views.task_create_view, name="task_create"),
    path("tasks/<int:pk>/edit/", views.task_edit_view, name="task_edit"),
    path("plans/", views.plan_list_view, name="plan_list"),
    path("plans/new/", views.plan_create_view, name="plan_create"),
]
