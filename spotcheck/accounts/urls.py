from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from spotcheck.accounts import views
from spotcheck.accounts.forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # 账号管理
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit_view, name="user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("users/<int:pk>/deactivate/", views.user_deactivate_view, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate_view, name="user_reactivate"),
    path(
        "users/<int:pk>/2fa-reset/",
        views.user_twofactor_reset_view,
        name="user_twofactor_reset",
    ),
]
