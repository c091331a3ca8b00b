from __future__ import annotations

from django.urls import path

from spotcheck.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.item_list_view, name="item_list"),
    path("new/", views.item_create_view, name="item_create"),
    path("<int:pk>/", views.item_detail_view, name="item_detail"),
    path("<int:pk>/edit/", views.item_edit_view, name="item_edit"),
    path("transfer/", views.catalogue_transfer_view, name="transfer"),
    path("export.xlsx", views.catalogue_export_view, {"fmt": "xlsx"}, name="export_xlsx"),
    path("template.xlsx", views.catalogue_template_view, name="template"),
    path("export.csv", views.catalogue_export_view, {"fmt": "csv"}, name="export_csv"),
]
