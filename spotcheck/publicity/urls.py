from __future__ import annotations

from django.urls import path

from spotcheck.publicity import views

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
    path("public/items/", views.item_notice, name="items"),
    path("public/plans/", views.plan_notice, name="plans"),
    path("public/tasks/", views.task_notice, name="tasks"),
    path("public/tasks/<int:pk>/", views.task_public_detail, name="task_detail"),
    path("public/tasks/<int:pk>/bundle.zip", views.task_public_bundle, name="task_bundle"),
]
