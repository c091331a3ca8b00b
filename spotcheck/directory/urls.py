from __future__ import annotations

from django.urls import path

from spotcheck.directory import views

app_name = "directory"

urlpatterns = [
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/new/", views.entity_create_view, name="entity_create"),
    path("entities/<int:pk>/", views.entity_detail, name="entity_detail"),
    path("entities/<int:pk>/edit/", views.entity_edit_view, name="entity_edit"),
    path("inspectors/", views.inspector_list, name="inspector_list"),
    path("inspectors/new/", views.inspector_create_view, name="inspector_create"),
    path("inspectors/<int:pk>/", views.inspector_detail, name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit_view, name="inspector_edit"),
    path("inspectors/<int:pk>/avoidances/", views.avoidance_add_view, name="avoidance_add"),
    path(
        "inspectors/<int:pk>/avoidances/<int:avoidance_pk>/remove/",
        views.avoidance_remove_view,
        name="avoidance_remove",
    ),
]
