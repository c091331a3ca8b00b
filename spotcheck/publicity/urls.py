from __future__ import annotations

from django.urls import path

from spotcheck.publicity import views

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
]
