"""Bookings and events in the states the community rules care about, built with the ORM."""

from datetime import timedelta

from django.utils import timezone

from bookings.models import Booking
from events.models import Event
from tests.factories import EventFactory, UserFactory


def past_event(*, ended_ago=timedelta(hours=2), status=Event.Status.COMPLETED, **kwargs) -> Event:
    """An event that ended ``ended_ago`` ago (completed by default, as the beat task would)."""
    ends = timezone.now() - ended_ago
    starts = ends - timedelta(hours=3)
    return EventFactory(
        starts_at=starts,
        ends_at=ends,
        booking_deadline=starts - timedelta(hours=2),
        cancellation_deadline=starts - timedelta(days=2),
        status=status,
        completed_at=ends if status == Event.Status.COMPLETED else None,
        **kwargs,
    )


def booking(
    *, event=None, guest=None, status=Booking.Status.CONFIRMED, seats=1, **kwargs
) -> Booking:
    """A booking as the bookings app leaves it (split frozen, seats counted)."""
    event = event or EventFactory()
    guest = guest or UserFactory()
    now = timezone.now()
    gross = event.contribution_cents * seats
    pledge = gross * event.pledge_percent // 100
    if status in Booking.SEAT_TAKING:
        Event.objects.filter(pk=event.pk).update(seats_reserved=event.seats_reserved + seats)
        event.refresh_from_db()
    return Booking.objects.create(
        event=event,
        guest=guest,
        seats=seats,
        unit_price_cents=event.contribution_cents,
        gross_cents=gross,
        pledge_percent=event.pledge_percent,
        pledge_cents=pledge,
        host_cents=gross - pledge,
        status=status,
        hold_expires_at=kwargs.pop("hold_expires_at", now + timedelta(minutes=15)),
        confirmed_at=now if status == Booking.Status.CONFIRMED else None,
        **kwargs,
    )
