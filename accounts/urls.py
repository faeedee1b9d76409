from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("hosts/<int:user_id>/", views.host_page, name="host"),
]
