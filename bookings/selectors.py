"""Non-trivial reads of the bookings app."""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from accounts.models import User
from events.models import Event

from .models import Booking, Payment, Refund


def event_seats_available(*, event: Event) -> int:
    """Seats a new booking can take now: expired-but-unswept holds count as free."""
    stale = (
        Booking.objects.filter(
            event_id=event.pk, status=Booking.Status.HELD, hold_expires_at__lte=timezone.now()
        ).aggregate(seats=Sum("seats"))["seats"]
        or 0
    )
    return max(event.capacity - event.seats_reserved + stale, 0)


def events_annotate_lapsed_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    """``events`` with ``seats_lapsed``: seats of their holds whose time ran out (compared with
    the database clock when the query runs) that no sweep has expired yet. One subquery, so a
    list takes the same number of queries whatever its length. ``Event.seats_left`` counts them
    as free; registered with ``events.selectors.card_annotation_register`` in ``apps.py``."""
    lapsed = (
        Booking.objects.filter(
            event_id=OuterRef("pk"), status=Booking.Status.HELD, hold_expires_at__lte=Now()
        )
        .order_by()
        .values("event_id")
        .annotate(total=Sum("seats"))
        .values("total")
    )
    return events.annotate(seats_lapsed=Coalesce(Subquery(lapsed, output_field=IntegerField()), 0))


def event_seat_choices(*, event: Event) -> list[int]:
    """The seat counts a guest may pick now: 1 to the smaller of seats left and the maximum."""
    return list(range(1, min(event_seats_available(event=event), settings.BOOKING_MAX_SEATS) + 1))


def guest_has_verified_email(*, user: User) -> bool:
    """Only people with a verified email address may book."""
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def booking_active_for(*, event: Event, user: User) -> Booking | None:
    """The user's held (still running) or confirmed booking for an event, if any."""
    if not user.is_authenticated:
        return None
    return (
        Booking.objects.filter(event_id=event.pk, guest=user)
        .filter(
            Q(status=Booking.Status.CONFIRMED)
            | Q(status=Booking.Status.HELD, hold_expires_at__gt=timezone.now())
        )
        .first()
    )


def bookings_of_guest(*, guest: User) -> QuerySet[Booking]:
    """A guest's bookings with everything "My bookings" shows, in a constant number of queries."""
    return (
        Booking.objects.filter(guest=guest)
        .select_related("event", "event__city", "event__commune", "event__host")
        .order_by("-event__starts_at", "-created_at")
    )


def event_guest_list(*, event: Event) -> QuerySet[Booking]:
    """Confirmed bookings of an event, with their guests, for the host."""
    return (
        Booking.objects.filter(event_id=event.pk, status=Booking.Status.CONFIRMED)
        .select_related("guest", "guest__profile")
        .order_by("confirmed_at", "pk")
    )


def event_money_raised(*, event: Event) -> dict[str, int]:
    """Money of an event's confirmed bookings: total, pledged to Kiron, host share, seats."""
    totals = Booking.objects.filter(event_id=event.pk, status=Booking.Status.CONFIRMED).aggregate(
        gross=Sum("gross_cents"),
        pledge=Sum("pledge_cents"),
        host=Sum("host_cents"),
        fee=Sum("platform_fee_cents"),
        seats=Sum("seats"),
        bookings=Count("pk"),
    )
    return {key: value or 0 for key, value in totals.items()}


def bookings_owed_a_refund(*, unchanged_since: datetime) -> list[tuple[int, str]]:
    """Bookings whose guest paid and is owed money back that no refund has covered yet.

    That is a succeeded payment, not fully refunded, of a booking that was never confirmed
    (expired or cancelled while paying), or cancelled by the host, or cancelled by the guest
    before the free-cancellation deadline; untouched since ``unchanged_since`` (the usual
    task had its chance). Returns ``(booking id, refund reason)`` pairs, for the beat sweep.
    """
    rows = (
        Payment.objects.filter(
            status=Payment.Status.SUCCEEDED,
            refunded_cents__lt=F("amount_cents"),
            updated_at__lte=unchanged_since,
            booking__status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED],
            booking__updated_at__lte=unchanged_since,
        )
        .filter(
            Q(booking__confirmed_at=None)
            | Q(booking__event__status=Event.Status.CANCELLED)
            | Q(booking__cancelled_at__lt=F("booking__event__cancellation_deadline"))
        )
        .values_list("booking_id", "booking__status", "booking__event__status")
    )
    owed = []
    for booking_id, status, event_status in rows:
        if event_status == Event.Status.CANCELLED:
            reason = Refund.Reason.EVENT_CANCELLED
        elif status == Booking.Status.CANCELLED:
            reason = Refund.Reason.GUEST_CANCELLED
        else:
            reason = Refund.Reason.LATE_PAYMENT
        owed.append((booking_id, str(reason)))
    return owed


def bookings_unconfirmed_by_email(*, confirmed_before: datetime) -> QuerySet[Booking]:
    """Confirmed bookings of upcoming events whose confirmation email never went out."""
    return Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        confirmation_sent_at=None,
        confirmed_at__lte=confirmed_before,
        event__starts_at__gt=F("confirmed_at"),
        event__status=Event.Status.PUBLISHED,
    ).values_list("pk", flat=True)


def events_cancelled_with_bookings() -> list[int]:
    """Cancelled events that still have held or confirmed bookings (their task was lost)."""
    return list(
        Booking.objects.filter(status__in=Booking.SEAT_TAKING, event__status=Event.Status.CANCELLED)
        .values_list("event_id", flat=True)
        .distinct()
    )
