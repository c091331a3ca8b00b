"""The pages of directory imports, under the directory's prefix and namespace.

They are reversed as ``directory:import_upload`` and so on: ``config/urls.py`` joins
these patterns to the directory's own (imports sits above directory, so the directory's
URL module does not name them).
"""

from __future__ import annotations

from django.urls import path

from spotcheck.imports import views

urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_job_detail, name="import_job"),
    path("import/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("import/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
]
