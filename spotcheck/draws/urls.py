from __future__ import annotations

from django.urls import path

from spotcheck.draws import views

app_name = "draws"

urlpatterns = [
    path("tasks/<int:pk>/draw/", views.draw_page, name="draw_page"),
    path("tasks/<int:pk>/draw/prepare/", views.prepare_view, name="prepare"),
    path("tasks/<int:pk>/draw/commit/", views.commit_view, name="commit"),
    path("tasks/<int:pk>/draw/announce/", views.announce_view, name="announce"),
    path("tasks/<int:pk>/draw/reveal/", views.reveal_view, name="reveal"),
    path("tasks/<int:pk>/draw/run/", views.run_view, name="run"),
    path("tasks/<int:pk>/draw/abandon/", views.abandon_view, name="abandon"),
    path("tasks/<int:pk>/draw/bundle.zip", views.bundle_view, name="bundle"),
    path(
        "tasks/<int:pk>/draw/<int:number>/bundle.zip",
        views.attempt_bundle_view,
        name="attempt_bundle",
    ),
    path("tasks/<int:pk>/draw/redraw/approve/", views.redraw_approve_view, name="redraw_approve"),
    path("tasks/<int:pk>/draw/redraw/refuse/", views.redraw_refuse_view, name="redraw_refuse"),
    path("tasks/<int:pk>/draw/dispatch/", views.dispatch_view, name="dispatch"),
    path(
        "tasks/<int:pk>/draw/dispatch/withdraw/",
        views.dispatch_withdraw_view,
        name="dispatch_withdraw",
    ),
    path("tasks/<int:pk>/objects/", views.objects_page, name="objects"),
    path("tasks/<int:pk>/objects/<int:object_pk>/replace/", views.replace_view, name="replace"),
    path("tasks/<int:pk>/objects/confirm/", views.confirm_view, name="confirm"),
    path("tasks/<int:pk>/grouping/start/", views.grouping_start_view, name="grouping_start"),
    path("tasks/<int:pk>/grouping/claim/", views.claim_view, name="claim"),
]
