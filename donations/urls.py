from django.urls import path

from . import share_card, views

app_name = "donations"

urlpatterns = [
    path("", views.impact, name="impact"),
    path("card.png", share_card.impact_card, name="impact_card"),
]
