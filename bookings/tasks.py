"""Celery tasks of the bookings app. Each takes ids, is idempotent and retries with backoff.

They are enqueued after commit (``transaction.on_commit``) by the services, or run by beat:
see ``CELERY_BEAT_SCHEDULE`` in the settings.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from events import selectors as event_selectors
from events import services as event_services
from events.models import EventChange
from meetsies.enqueue import enqueue

from . import emails, selectors, services
from .models import Booking, Payment, Refund

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


def _booking_for_email(booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "event", "event__host", "event__city", "event__commune", "guest"
    ).get(pk=booking_id)


def _send_once(booking_id: int, field: str, send) -> bool:
    """Claim ``field`` (a ``*_sent_at`` column), send, and release the claim if sending fails."""
    if not services.booking_claim_email(booking_id=booking_id, field=field):
        return False
    try:
        send()
    except Exception:
        services.booking_release_email_claim(booking_id=booking_id, field=field)
        raise
    return True


@shared_task(**RETRY)
def send_booking_confirmation(booking_id: int) -> bool:
    """Email the guest (summary, exact address, host, .ics) and the host, once per booking.

    Idempotent through ``confirmation_sent_at``; retried with backoff when sending fails.
    """
    booking = _booking_for_email(booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        return False

    def send() -> None:
        emails.send_guest_confirmation(booking)
        emails.send_host_new_booking(booking)

    return _send_once(booking_id, "confirmation_sent_at", send)


@shared_task(**RETRY)
def settle_cancelled_booking(booking_id: int, reason: str, refund: bool) -> bool:
    """Refund a cancelled (or unconfirmable) booking if due, then tell the guest, once, and
    the host too when the guest cancelled a confirmed booking.

    ``refund`` is true when the booking was paid and confirmed before it was cancelled, or
    when ``payment_intent_sync`` found a payment for a booking it could not confirm. If this
    task finds that the payment of a never-confirmed booking succeeded after all, it leaves
    the refund and the email to the task that finding enqueued, so only one of them refunds.
    Idempotent: the refund is capped at what is still refundable (a repeat refunds nothing)
    and the email is guarded by ``cancellation_sent_at``. Retried with backoff.
    """
    booking = _booking_for_email(booking_id)
    payment = services.payment_abandon(booking_id=booking_id)  # an unfinished 3-D Secure, say
    paid = payment is not None and payment.status == Payment.Status.SUCCEEDED
    if paid and not refund and booking.confirmed_at is None:
        return False
    if refund and payment is not None:
        services.payment_refund(payment_id=payment.pk, reason=reason)
    refunded = sum(
        Refund.objects.filter(payment__booking_id=booking_id).values_list("amount_cents", flat=True)
    )

    def send() -> None:
        emails.send_cancellation(booking, reason=reason, refunded_cents=refunded, paid=paid)
        if reason == Refund.Reason.GUEST_CANCELLED and booking.confirmed_at is not None:
            # The host was told of the booking: tell them it is off (once, with the guest's).
            emails.send_host_guest_cancelled(booking)

    return _send_once(booking_id, "cancellation_sent_at", send)


@shared_task(**RETRY)
def cancel_event_bookings(event_id: int) -> int:
    """The host cancelled an event: cancel its bookings (each then refunded and told). Idempotent."""
    return len(services.bookings_cancel_for_event(event_id=event_id))


@shared_task(**RETRY)
def notify_event_changed(change_id: int) -> int:
    """Email every confirmed guest what changed in a recorded ``EventChange``; returns how many.

    Each guest's email is claimed on their booking (``send_event_change``), so a repeat of this
    task, or the sweep running it again, sends nobody the same change twice. Only when every
    guest's email went out is the change marked notified; otherwise the task raises and is
    retried (with backoff), and the sweep retries it if the retries were lost too.
    """
    change = EventChange.objects.filter(pk=change_id).values("event_id", "changes").first()
    if change is None:
        return 0
    ids = list(
        Booking.objects.filter(
            event_id=change["event_id"],
            status=Booking.Status.CONFIRMED,
            event__status="published",
        ).values_list("pk", flat=True)
    )
    sent, failed = 0, []
    for booking_id in ids:
        try:
            sent += bool(send_event_change(booking_id, change["changes"]))
        except Exception:
            logger.exception("Could not email booking %s about change %s", booking_id, change_id)
            failed.append(booking_id)
    if failed:
        raise RuntimeError(f"change {change_id}: {len(failed)} guest email(s) failed; retrying")
    event_services.event_change_mark_notified(change_id=change_id)
    return sent


@shared_task(**RETRY)
def send_event_change(booking_id: int, changes: dict) -> bool:
    """Email a confirmed guest what changed (old → new), once per booking and change-set.

    Idempotent like the other emails: the change-set's digest is claimed on the booking row
    with a conditional update before sending, and given back if sending fails (then retried
    with backoff). A guest who is no longer confirmed gets nothing.
    """
    booking = _booking_for_email(booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        return False
    digest = hashlib.sha256(json.dumps(changes, sort_keys=True).encode()).hexdigest()
    previous = booking.event_change_sent
    claimed = (
        Booking.objects.filter(pk=booking.pk)
        .exclude(event_change_sent=digest)
        .update(event_change_sent=digest)
    )
    if not claimed:
        return False
    try:
        emails.send_event_changed(booking, changes=changes)
    except Exception:
        Booking.objects.filter(pk=booking.pk, event_change_sent=digest).update(
            event_change_sent=previous
        )
        raise
    return True


@shared_task(**RETRY)
def expire_stale_holds() -> int:
    """Beat, every minute: expired holds give their seats back. Idempotent."""
    return services.booking_expire_stale()


# How long the usual task gets before the sweep redoes its work (the broker may have been down).
LOST_TASK_AFTER = timedelta(minutes=10)


@shared_task(**RETRY)
def sweep_pending_payments() -> int:
    """Beat: catch what a lost webhook or a lost task left undone. Idempotent.

    Asks Stripe about the intents of held, expired or cancelled bookings from the last two days
    that are not final and have not changed for a minute; cancels the bookings of cancelled
    events; re-enqueues the refund of a paid booking that is owed one, and the confirmation
    email that never went out, and the event-change emails of every recorded change nobody was
    told about, when the usual task has had ``LOST_TASK_AFTER`` to do it (enqueued after
    commit, then lost with Redis).
    """
    now = timezone.now()
    for change_id in event_selectors.event_changes_unnotified(created_before=now - LOST_TASK_AFTER):
        logger.warning("Event change %s was never announced to its guests; retrying", change_id)
        enqueue(notify_event_changed, change_id)
    for event_id in selectors.events_cancelled_with_bookings():
        services.bookings_cancel_for_event(event_id=event_id)
    for booking_id, reason in selectors.bookings_owed_a_refund(
        unchanged_since=now - LOST_TASK_AFTER
    ):
        logger.warning("Booking %s is owed a refund no task gave; retrying", booking_id)
        enqueue(settle_cancelled_booking, booking_id, reason, True)
    for booking_id in selectors.bookings_unconfirmed_by_email(
        confirmed_before=now - LOST_TASK_AFTER
    ):
        enqueue(send_booking_confirmation, booking_id)
    pending = Payment.objects.filter(
        ~Q(stripe_payment_intent_id=None),
        ~Q(status__in=[Payment.Status.SUCCEEDED, Payment.Status.CANCELED]),
        booking__status__in=[
            Booking.Status.HELD,
            Booking.Status.EXPIRED,
            Booking.Status.CANCELLED,
        ],
        created_at__gte=now - timedelta(days=2),
        updated_at__lte=now - timedelta(minutes=1),
    ).values_list("booking_id", flat=True)
    count = 0
    for booking_id in pending:
        try:
            services.booking_payment_refresh(booking_id=booking_id)
            count += 1
        except Exception:
            logger.exception("Could not refresh the payment of booking %s", booking_id)
    return count


@shared_task(**RETRY)
def send_due_reminders() -> int:
    """Beat: enqueue the 24-hour reminder of each confirmed booking whose event starts soon."""
    now = timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        reminder_sent_at=None,
        event__status="published",
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(hours=24),
    ).values_list("pk", flat=True)
    ids = list(due)
    for booking_id in ids:
        enqueue(send_booking_reminder, booking_id)
    return len(ids)


@shared_task(**RETRY)
def send_booking_reminder(booking_id: int) -> bool:
    """Email the guest a reminder, exactly once (guarded by ``reminder_sent_at``)."""
    booking = _booking_for_email(booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        return False
    return _send_once(booking_id, "reminder_sent_at", lambda: emails.send_reminder(booking))
