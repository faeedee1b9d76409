"""Receivers for the signals of the apps below bookings.

An event cancellation or change enqueues a task and returns; accounts' GDPR signals (export, erasure
blockers, scrubbing) are answered here from bookings' own tables.
"""

from django.utils import timezone
from django.utils.translation import ngettext

from accounts.signals import erasure_blockers, personal_data_export, user_erasing
from events.signals import event_cancelled, event_changed
from meetsies.enqueue import enqueue

from .models import Booking, Payment


def on_event_cancelled(sender, event_id: int, **kwargs) -> None:
    """The host cancelled an event: refund and tell every guest (in a Celery task)."""
    from .tasks import cancel_event_bookings

    enqueue(cancel_event_bookings, event_id)


def on_event_changed(sender, event_id: int, change_id: int, changes: dict, **kwargs) -> None:
    """The host moved a published event (time or place): tell its confirmed guests (in a task).

    The change is recorded (``EventChange``): if the broker is down, the sweep tells them.
    """
    from .tasks import notify_event_changed

    enqueue(notify_event_changed, change_id)


def _payment_export(booking: Booking) -> dict | None:
    try:
        payment = booking.payment
    except Payment.DoesNotExist:
        return None
    return {
        "status": payment.status,
        "amount_cents": payment.amount_cents,
        "refunded_cents": payment.refunded_cents,
        "currency": payment.currency,
        "succeeded_at": payment.succeeded_at,
    }


def export_bookings(sender, user, **kwargs) -> tuple[str, list[dict]]:
    """The bookings ``user`` made as a guest, with their payment, for their data export."""
    bookings = (
        Booking.objects.filter(guest=user)
        .select_related("event", "event__city", "event__commune", "payment")
        .order_by("created_at", "pk")
    )
    return "bookings", [
        {
            "reference": booking.reference,
            "event": {
                "id": booking.event_id,
                "title": booking.event.title,
                "starts_at": booking.event.starts_at,
                "city": booking.event.city.name,
                "commune": booking.event.commune.name,
            },
            "seats": booking.seats,
            "dietary_notes": booking.dietary_notes,
            "status": booking.status,
            "currency": booking.currency,
            "unit_price_cents": booking.unit_price_cents,
            "gross_cents": booking.gross_cents,
            "pledge_percent": booking.pledge_percent,
            "pledge_cents": booking.pledge_cents,
            "platform_fee_cents": booking.platform_fee_cents,
            "host_cents": booking.host_cents,
            "hold_expires_at": booking.hold_expires_at,
            "confirmed_at": booking.confirmed_at,
            "cancelled_at": booking.cancelled_at,
            "expired_at": booking.expired_at,
            "created_at": booking.created_at,
            "payment": _payment_export(booking),
        }
        for booking in bookings
    ]


def block_erasure_while_booked(sender, user, **kwargs) -> list[str]:
    """A guest cannot vanish while money or a seat is still in play: a hold waiting for payment
    (its payment may still succeed) or a confirmed booking for an event that is not over."""
    mine = Booking.objects.filter(guest=user)
    held = mine.filter(status=Booking.Status.HELD).count()
    upcoming = mine.filter(
        status=Booking.Status.CONFIRMED, event__ends_at__gt=timezone.now()
    ).count()
    reasons = []
    if held:
        reasons.append(
            ngettext(
                "You have %(count)d booking waiting for payment. Pay for it or cancel it first.",
                "You have %(count)d bookings waiting for payment. Pay for them or cancel them first.",
                held,
            )
            % {"count": held}
        )
    if upcoming:
        reasons.append(
            ngettext(
                "You have %(count)d booking for an event that is not over yet. Cancel it first, or wait until the event is over.",
                "You have %(count)d bookings for events that are not over yet. Cancel them first, or wait until the events are over.",
                upcoming,
            )
            % {"count": upcoming}
        )
    return reasons


def scrub_erased_guest(sender, user_id: int, **kwargs) -> None:
    """Inside the erasure transaction: forget the erased guest's dietary notes."""
    from .services import bookings_scrub_for_erased_guest

    bookings_scrub_for_erased_guest(guest_id=user_id)


def connect() -> None:
    event_cancelled.connect(on_event_cancelled, dispatch_uid="bookings.on_event_cancelled")
    event_changed.connect(on_event_changed, dispatch_uid="bookings.on_event_changed")
    personal_data_export.connect(export_bookings, dispatch_uid="bookings.export_bookings")
    erasure_blockers.connect(
        block_erasure_while_booked, dispatch_uid="bookings.block_erasure_while_booked"
    )
    user_erasing.connect(scrub_erased_guest, dispatch_uid="bookings.scrub_erased_guest")
