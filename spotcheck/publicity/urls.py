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
    path(
        "public/tasks/<int:pk>/draws/<int:number>/bundle.zip",
        views.attempt_public_bundle,
        name="attempt_bundle",
    ),
    path("public/results/", views.result_notice, name="results"),
    path("public/results/<int:pk>/", views.result_public_detail, name="result_detail"),
    path("public/lookup/", views.entity_lookup, name="lookup"),
    path("public/open-data/", views.open_data, name="open_data"),
    path(
        "public/open-data/results-<int:year>.<str:fmt>",
        views.open_data_file,
        name="open_data_file",
    ),
    path("public/api/results/", views.open_data_api, name="open_data_api"),
    path("publicity/results/record/<int:pk>/", views.record_results, name="record_results"),
    path(
        "publicity/results/record/<int:pk>/notice.pdf",
        views.result_notice_pdf,
        name="result_notice_pdf",
    ),
    path("publicity/results/<int:pk>/correct/", views.result_correct_view, name="correct"),
    path("publicity/outbox/", views.outbox_list, name="outbox"),
    path("publicity/outbox/<int:pk>/resend/", views.outbox_resend_view, name="outbox_resend"),
    path("publicity/outbox/export.<str:fmt>", views.outbox_export, name="outbox_export"),
]
