from __future__ import annotations

from django.urls import path

from spotcheck.common import views

app_name = "common"

urlpatterns = [
    path("", views.home, name="home"),
]
