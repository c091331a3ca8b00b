from __future__ import annotations

from django.urls import path

from spotcheck.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("begin/", views.begin_view, name="begin"),
    path("confirm/", views.confirm_view, name="confirm"),
    path("disable/", views.disable_view, name="disable"),
    path("verify/", views.verify_view, name="verify"),
]
