"""Bookings, payments and refunds made straight with the ORM, as the bookings app would.

The donations app only reads these rows and listens to the bookings signals, so tests build
them directly and send the signals themselves.
"""

import itertools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, Payment, Refund
from bookings.signals import payment_refunded, payment_succeeded
from tests.factories import EventFactory, UserFactory

_stripe_ids = itertools.count(1)


def paid_booking(
    *,
    event=None,
    guest=None,
    seats: int = 2,
    gross_cents: int | None = None,
    pledge_cents: int | None = None,
    status: str = Payment.Status.SUCCEEDED,
) -> Payment:
    """A confirmed booking with a succeeded payment; returns the payment.

    By default the event's price and pledge percentage decide the split, as at hold time.
    """
    event = event or EventFactory()
    guest = guest or UserFactory()
    if gross_cents is None:
        gross_cents = event.contribution_cents * seats
    if pledge_cents is None:
        pledge_cents = gross_cents * event.pledge_percent // 100
    now = timezone.now()
    booking = Booking.objects.create(
        event=event,
        guest=guest,
        seats=seats,
        unit_price_cents=gross_cents // seats,
        gross_cents=gross_cents,
        pledge_percent=event.pledge_percent,
        pledge_cents=pledge_cents,
        host_cents=gross_cents - pledge_cents,
        status=Booking.Status.CONFIRMED,
        hold_expires_at=now + timedelta(minutes=15),
        confirmed_at=now,
    )
    return Payment.objects.create(
        booking=booking,
        stripe_payment_intent_id=f"pi_test_{next(_stripe_ids)}_{booking.reference}",
        amount_cents=gross_cents,
        status=status,
        succeeded_at=now if status == Payment.Status.SUCCEEDED else None,
    )


def refund(payment: Payment, amount_cents: int, reason=Refund.Reason.GUEST_CANCELLED) -> Refund:
    """Record a refund of ``amount_cents`` on ``payment`` (never more than is left)."""
    payment.refresh_from_db()
    assert amount_cents <= payment.amount_cents - payment.refunded_cents
    made = Refund.objects.create(
        payment=payment,
        stripe_refund_id=f"re_test_{next(_stripe_ids)}",
        amount_cents=amount_cents,
        reason=reason,
    )
    payment.refunded_cents += amount_cents
    payment.save(update_fields=["refunded_cents"])
    return made


def send_payment_succeeded(payment: Payment) -> None:
    """What bookings does: send the signal once the payment is committed."""
    transaction.on_commit(
        lambda: payment_succeeded.send(sender=Payment, payment_id=payment.pk), robust=False
    )


def send_payment_refunded(refund_row: Refund) -> None:
    transaction.on_commit(
        lambda: payment_refunded.send(sender=Refund, refund_id=refund_row.pk), robust=False
    )
