"""The pages of the workflow layer, grouped by the URL namespace they answer under.

``config/urls.py`` joins each group to the owning context's own routes under that
context's namespace, so every path and every URL name stays what it was.
"""

from __future__ import annotations

from django.urls import path

from spotcheck.workflow import home, record_views, task_pages, task_step_pages, views

# under /workbench/, namespace "common"
workbench_patterns = [
    path("", home.home, name="home"),
]

# under /, namespace "campaigns"
campaigns_patterns = [
    path("tasks/", task_pages.task_board, name="task_board"),
    path("tasks/<int:pk>/", task_pages.task_detail, name="task_detail"),
    path("tasks/<int:pk>/steps/<str:step>/", task_step_pages.task_step_view, name="task_step"),
]

# under /, namespace "draws"
draws_patterns = [
    path("tasks/<int:pk>/grouping/match/", views.match_view, name="match"),
]

# under /, namespace "inspections"
inspections_patterns = [
    path("inbox/", record_views.inbox, name="inbox"),
    path("field/records/<int:pk>/review/", record_views.record_review_view, name="field_review"),
]
