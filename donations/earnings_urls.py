from django.urls import path

from . import views_earnings

app_name = "earnings"

urlpatterns = [
    path("", views_earnings.earnings, name="index"),
    path("payout-details/", views_earnings.payout_details, name="payout_details"),
]
