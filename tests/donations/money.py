"""Helpers for the money tests: events that ended, paid bookings on the ledger, payout details."""

from datetime import timedelta

from django.utils import timezone

from donations import services_ledger
from donations.models import PayoutDetails
from events.models import Event
from tests.factories import EventFactory

from .factories import paid_booking, refund

IBAN_HOST = "BE68539007547034"
IBAN_OTHER = "NL91ABNA0417164300"


def ended_event(*, host=None, days_ago: int = 5, **kwargs) -> Event:
    """A completed event that ended ``days_ago`` days ago (past the payout delay by default)."""
    ends = timezone.now() - timedelta(days=days_ago)
    extra = {"host": host} if host is not None else {}
    return EventFactory(
        **extra,
        starts_at=ends - timedelta(hours=3),
        ends_at=ends,
        status=Event.Status.COMPLETED,
        completed_at=ends,
        **kwargs,
    )


def booked(event, *, seats: int = 2, **kwargs):
    """A paid booking of ``event`` recorded on the money ledger; returns the payment."""
    payment = paid_booking(event=event, seats=seats, **kwargs)
    services_ledger.money_payment_record(payment_id=payment.pk)
    return payment


def refunded(payment, amount_cents: int):
    made = refund(payment, amount_cents)
    services_ledger.money_refund_record(refund_id=made.pk)
    return made


def details_for(user, *, iban: str = IBAN_HOST, name: str = "Hana Host") -> PayoutDetails:
    return PayoutDetails.objects.create(user=user, holder_name=name, iban=iban)
