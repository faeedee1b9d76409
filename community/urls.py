from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("reviews/write/<str:reference>/", views.review_write, name="review_write"),
    path("reviews/<int:pk>/reply/", views.review_reply, name="review_reply"),
    path("reviews/<int:pk>/report/", views.report_review, name="report_review"),
    path("report/event/<int:pk>/", views.report_event, name="report_event"),
    path("attendance/<int:pk>/", views.attendance, name="attendance"),
    path("announce/<int:pk>/", views.announce, name="announce"),
    path("messages/", views.conversations, name="conversations"),
    path("messages/<int:pk>/", views.conversation, name="conversation"),
    path("messages/<int:pk>/block/", views.conversation_block, name="conversation_block"),
    path("messages/<int:pk>/report/", views.report_conversation, name="report_conversation"),
    path(
        "messages/booking/<str:reference>/",
        views.conversation_for_booking,
        name="conversation_for_booking",
    ),
]
