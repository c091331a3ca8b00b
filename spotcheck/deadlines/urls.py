from __future__ import annotations

from django.urls import path

from spotcheck.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("calendar/", views.calendar_home, name="calendar_home"),
    path("calendar/new-year/", views.calendar_year_open_view, name="calendar_year_open"),
    path("calendar/<int:year>/", views.calendar_year_view, name="calendar_year"),
    path(
        "calendar/<int:year>/confirm/",
        views.calendar_year_confirm_view,
        name="calendar_year_confirm",
    ),
    path("calendar/<int:year>/<str:day>/", views.calendar_day_view, name="calendar_day"),
    path("deadlines/", views.deadline_dashboard, name="dashboard"),
    path("deadlines/notifications/read/", views.notifications_read_view, name="notifications_read"),
]
