"""Celery tasks of the community app. Each takes ids, is idempotent and retries with backoff.

Emails are claimed on their row before sending (``ReviewInvitation.sent_at``,
``Message.notified_at``) and given back if sending fails, so a retry or a sweep sends each
exactly once. Beat runs the sweeps: see ``CELERY_BEAT_SCHEDULE`` in the settings.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from bookings.models import Booking
from meetsies.enqueue import enqueue

from . import emails, rules, selectors, services
from .models import Message

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}

# How long the usual task gets before the sweep sends a message's email itself.
LOST_TASK_AFTER = timedelta(minutes=10)


@shared_task(**RETRY)
def send_review_invitations() -> int:
    """Beat: enqueue the review invitation of every booking due one. Returns how many."""
    ids = list(selectors.bookings_due_review_invitation().values_list("pk", flat=True))
    for booking_id in ids:
        enqueue(send_review_invitation, booking_id)
    return len(ids)


@shared_task(**RETRY)
def send_review_invitation(booking_id: int) -> bool:
    """Email the guest an invitation to review, once per booking, in their language.

    Does nothing if the guest can no longer review (marked no-show, window over) or has.
    """
    booking = Booking.objects.select_related(
        "event", "event__host", "event__host__profile", "event__city", "guest"
    ).get(pk=booking_id)
    if rules.review_refusal(booking=booking, author=booking.guest) is not None:
        return False
    if selectors.review_of_booking(booking=booking) is not None:
        return False
    if not services.review_invitation_claim(booking_id=booking_id):
        return False
    try:
        emails.send_review_invitation(booking)
    except Exception:
        services.review_invitation_release(booking_id=booking_id)
        raise
    return True


@shared_task(**RETRY)
def send_message_notification(message_id: int) -> bool:
    """Email the other side of the thread about a message, once (``Message.notified_at``).

    A guest who lost access to the thread (hold lapsed, cancelled) is not emailed.
    """
    message = Message.objects.select_related(
        "sender",
        "sender__profile",
        "conversation__booking__guest",
        "conversation__booking__event__host",
    ).get(pk=message_id)
    booking = message.conversation.booking
    host = booking.event.host
    recipient = booking.guest if message.sender_id == host.pk else host
    if not services.message_claim_notification(message_id=message_id):
        return False
    if rules.conversation_role(booking=booking, user=recipient) is None:
        return False  # claimed all the same: nobody to tell
    try:
        emails.send_message_notification(message, to=recipient)
    except Exception:
        services.message_release_notification(message_id=message_id)
        raise
    return True


@shared_task(**RETRY)
def sweep_message_notifications() -> int:
    """Beat: send the emails of messages whose task was lost (from the last two days)."""
    now = timezone.now()
    ids = list(
        selectors.messages_unnotified(
            created_before=now - LOST_TASK_AFTER, created_after=now - timedelta(days=2)
        ).values_list("pk", flat=True)
    )
    for message_id in ids:
        enqueue(send_message_notification, message_id)
    return len(ids)
