"""The one place a booking's status changes: an explicit map of allowed transitions, and a
history row (``audit.StatusChange``) for every change. Callers hold the booking row lock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from audit.services import Actor, TransitionNotAllowed, status_changes_record, transition_check

from .models import Booking, Payment

Status = Booking.Status

BOOKING_TRANSITIONS: dict[str, set[str]] = {
    Status.HELD: {Status.CONFIRMED, Status.CANCELLED, Status.EXPIRED},
    # A payment that lands after the hold expired: confirmed if the seats are still free,
    # refunded otherwise.
    Status.EXPIRED: {Status.CONFIRMED, Status.REFUNDED},
    Status.CONFIRMED: {Status.CANCELLED},
    Status.CANCELLED: {Status.REFUNDED},
    Status.REFUNDED: set(),
}
_STAMPS = {
    Status.CONFIRMED: "confirmed_at",
    Status.CANCELLED: "cancelled_at",
    Status.EXPIRED: "expired_at",
}

__all__ = [
    "BOOKING_TRANSITIONS",
    "TransitionNotAllowed",
    "booking_transition",
    "bookings_transition",
]


def booking_transition(
    *, booking: Booking, to: str, actor: Actor, reason: str = "", now: datetime | None = None
) -> Booking:
    """Move ``booking`` to ``to`` and record who and why. Call holding its row lock.

    A booking already in ``to`` is left alone; a transition the map does not allow raises
    ``TransitionNotAllowed`` and changes nothing.
    """
    if booking.status == to:
        return booking
    transition_check(
        allowed=BOOKING_TRANSITIONS, model="booking", from_status=booking.status, to_status=to
    )
    now = now or timezone.now()
    previous = booking.status
    booking.status = to
    fields = ["status", "updated_at"]
    if to in _STAMPS:
        setattr(booking, _STAMPS[to], now)
        fields.append(_STAMPS[to])
    booking.save(update_fields=fields)
    status_changes_record(
        model=Booking, changes=[(booking.pk, previous)], to_status=to, actor=actor, reason=reason
    )
    return booking


def bookings_transition(
    *,
    changes: list[tuple[int, str]],
    to: str,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
) -> list[int]:
    """Move several bookings (``(id, current status)``, rows locked by the caller) to ``to`` in
    one update, with a history row each. All are checked first: one disallowed transition
    raises ``TransitionNotAllowed`` and changes none of them."""
    for _pk, current in changes:
        transition_check(
            allowed=BOOKING_TRANSITIONS, model="booking", from_status=current, to_status=to
        )
    if not changes:
        return []
    now = now or timezone.now()
    ids = [pk for pk, _current in changes]
    values = {"status": to, "updated_at": now}
    if to in _STAMPS:
        values[_STAMPS[to]] = now
    Booking.objects.filter(pk__in=ids).update(**values)
    status_changes_record(model=Booking, changes=changes, to_status=to, actor=actor, reason=reason)
    return ids


# ---------------------------------------------------------------- payments

PStatus = Payment.Status
_OPEN_PAYMENT = {
    PStatus.REQUIRES_PAYMENT_METHOD,
    PStatus.REQUIRES_CONFIRMATION,
    PStatus.REQUIRES_ACTION,
    PStatus.PROCESSING,
    PStatus.REQUIRES_CAPTURE,
}
# Stripe decides a PaymentIntent's steps; ours only never leave "succeeded", and leave
# "canceled" only for a new attempt (a new intent on the same payment row).
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    **{
        status: (_OPEN_PAYMENT - {status}) | {PStatus.SUCCEEDED, PStatus.CANCELED}
        for status in _OPEN_PAYMENT
    },
    PStatus.CANCELED: {PStatus.PROCESSING},
    PStatus.SUCCEEDED: set(),
}


def payment_transition(
    *, payment: Payment, to: str, actor: Actor, reason: str = "", extra_fields: tuple = ()
) -> Payment:
    """Move ``payment`` to ``to`` (saving ``extra_fields`` set by the caller too) and record
    it. Call holding its row lock. Already in ``to``: only the extra fields are saved."""
    fields = ["updated_at", *extra_fields]
    if payment.status != to:
        transition_check(
            allowed=PAYMENT_TRANSITIONS, model="payment", from_status=payment.status, to_status=to
        )
        status_changes_record(
            model=Payment,
            changes=[(payment.pk, payment.status)],
            to_status=to,
            actor=actor,
            reason=reason,
        )
        payment.status = to
        fields.append("status")
    payment.save(update_fields=fields)
    return payment
