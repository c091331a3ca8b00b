from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from spotcheck.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("departments/", views.DepartmentList.as_view(), name="department_list"),
    path("entities/", views.EntityList.as_view(), name="entity_list"),
    path("entities/sync/", views.EntitySync.as_view(), name="entity_sync"),
    path("entities/<int:pk>/", views.EntityDetail.as_view(), name="entity_detail"),
    path("inspectors/", views.InspectorList.as_view(), name="inspector_list"),
    path("inspectors/sync/", views.InspectorSync.as_view(), name="inspector_sync"),
    path("inspectors/<int:pk>/", views.InspectorDetail.as_view(), name="inspector_detail"),
    path("tasks/", views.TaskList.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetail.as_view(), name="task_detail"),
    path("tasks/<int:pk>/draws/", views.TaskDraws.as_view(), name="task_draws"),
    path("records/", views.RecordList.as_view(), name="record_list"),
    path("records/<int:pk>/", views.RecordDetail.as_view(), name="record_detail"),
    path("records/<int:pk>/entries/", views.RecordEntriesSave.as_view(), name="record_entries"),
    path("records/<int:pk>/photos/", views.RecordPhotoAdd.as_view(), name="record_photos"),
    path("records/<int:pk>/sign/", views.RecordSign.as_view(), name="record_sign"),
    path("records/<int:pk>/review/", views.RecordReview.as_view(), name="record_review"),
    path("result-codes/", views.ResultCodeList.as_view(), name="result_code_list"),
    path("public/tasks/", views.PublicTaskList.as_view(), name="public_task_list"),
    path("public/tasks/<int:pk>/draws/", views.PublicTaskDraws.as_view(), name="public_task_draws"),
]
