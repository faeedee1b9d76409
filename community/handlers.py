"""Receivers of accounts' GDPR signals: a person's reviews and messages in their data export,
and what identifies them scrubbed from those rows when they erase their account."""

from accounts.signals import personal_data_export, user_erasing


def export_community(sender, user, **kwargs):
    """Reviews the person wrote (with the host's reply) and messages they sent."""
    from .models import Message, Review

    reviews = Review.objects.filter(author=user).select_related("event").order_by("created_at")
    messages = (
        Message.objects.filter(sender=user)
        .select_related("conversation__booking__event")
        .order_by("created_at")
    )
    return (
        "community",
        {
            "reviews": [
                {
                    "event": review.event.title,
                    "rating": review.rating,
                    "text": review.text,
                    "reply": review.reply,
                    "hidden": review.hidden_at is not None,
                    "created_at": review.created_at,
                }
                for review in reviews
            ],
            "messages": [
                {
                    "event": message.conversation.booking.event.title,
                    "booking": message.conversation.booking.reference,
                    "kind": message.kind,
                    "body": message.body,
                    "created_at": message.created_at,
                }
                for message in messages
            ],
        },
    )


def scrub_erased_user(sender, user_id: int, **kwargs) -> None:
    """Inside the erasure transaction: clear the texts the person wrote; ratings stay (they
    count in the host's average) under "Former member"."""
    from .services import community_scrub_for_erased_user

    community_scrub_for_erased_user(user_id=user_id)


def connect() -> None:
    personal_data_export.connect(export_community, dispatch_uid="community.export")
    user_erasing.connect(scrub_erased_user, dispatch_uid="community.scrub_erased_user")
