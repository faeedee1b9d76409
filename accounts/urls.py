from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/my-data.json", views.data_export, name="data_export"),
    path("profile/erase/", views.account_erase, name="erase"),
    path("hosts/<int:user_id>/", views.host_page, name="host"),
]
