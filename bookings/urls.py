from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("book/<int:event_pk>/", views.hold, name="hold"),
    path("event/<int:pk>/guests/", views.guests, name="guests"),
    path("<slug:reference>/", views.detail, name="detail"),
    path("<slug:reference>/checkout/", views.checkout, name="checkout"),
    path("<slug:reference>/checkout/setup-intent/", views.setup_intent, name="setup_intent"),
    path("<slug:reference>/checkout/pay/", views.pay, name="pay"),
    path("<slug:reference>/checkout/status/", views.payment_status, name="payment_status"),
    path("<slug:reference>/cancel/", views.cancel, name="cancel"),
    path("<slug:reference>/calendar.ics", views.calendar, name="ics"),
]
