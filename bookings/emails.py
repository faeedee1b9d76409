"""The emails of the bookings app. Called by tasks only (never inside a transaction).

Each is written in its recipient's language (``User.language``), whatever language is active
where the task runs.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from events.ics import event_ics, event_place
from meetsies.mail import email_build

from .models import Booking
from .selectors import event_seats_available


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def booking_ics(booking: Booking) -> bytes:
    """A calendar entry for a booking, in the city's zone; the exact address only once the
    booking is confirmed (the confirmation email's file, the booking page's download)."""
    event = booking.event
    return event_ics(
        event=event,
        include_address=booking.status == Booking.Status.CONFIRMED,
        uid=f"booking-{booking.reference}@meetsies",
        description=_("Host: %(host)s. Seats: %(seats)s. Booking %(reference)s.")
        % {"host": event.host.display_name, "seats": booking.seats, "reference": booking.reference},
        url=_absolute(booking.get_absolute_url()),
    )


def _when(event, iso: str) -> str:
    """An ISO 8601 instant, written in the event city's time zone and the active language."""
    return date_format(
        timezone.localtime(datetime.fromisoformat(iso), event.city.tz), "l j F Y, H:i"
    )


def _context(booking: Booking, **extra) -> dict:
    event = booking.event
    return {
        "booking": booking,
        "event": event,
        "host": event.host,
        "where": event_place(event, exact=True),
        "guest": booking.guest,
        # Formatted here, in the city's time zone: template filters would use the site's zone.
        "starts": date_format(timezone.localtime(event.starts_at, event.city.tz), "l j F Y, H:i"),
        "booking_url": _absolute(booking.get_absolute_url()),
        "event_url": _absolute(event.get_absolute_url()),
        "events_url": _absolute(reverse("events:list")),
        "guests_url": _absolute(reverse("bookings:guests", kwargs={"pk": event.pk})),
        **extra,
    }


def _send(booking: Booking, *, to: User, subject: str, template: str, ics=False, **extra) -> None:
    """Render and send one email to ``to``, subject, body and calendar file all in the
    recipient's language (``User.language``, the language they last read the site in).

    ``subject`` is a message id with ``%(title)s``, translated here rather than by the caller,
    which may run inside a request in another language (Celery's eager mode).
    """
    with translation.override(to.language or settings.LANGUAGE_CODE):
        message = email_build(
            to=[to.email],
            subject=f"[{settings.SITE_NAME}] " + _(subject) % {"title": booking.event.title},
            template=template.removesuffix(".txt"),
            context=_context(booking, **extra),
        )
        if ics:
            message.attach(
                "meetsies.ics",
                booking_ics(booking),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
        message.send()


def send_guest_confirmation(booking: Booking) -> None:
    _send(
        booking,
        to=booking.guest,
        subject=gettext_noop("You're booked: %(title)s"),
        template="emails/bookings/confirmation.txt",
        ics=True,
    )


def send_host_new_booking(booking: Booking) -> None:
    _send(
        booking,
        to=booking.event.host,
        subject=gettext_noop("New booking for %(title)s"),
        template="emails/bookings/host_new_booking.txt",
        seats_left=event_seats_available(event=booking.event),
    )


def send_cancellation(booking: Booking, *, reason: str, refunded_cents: int, paid: bool) -> None:
    _send(
        booking,
        to=booking.guest,
        subject=gettext_noop("Booking cancelled: %(title)s"),
        template="emails/bookings/cancelled.txt",
        reason=reason,
        refunded_cents=refunded_cents,
        paid=paid,
    )


def send_host_guest_cancelled(booking: Booking) -> None:
    """Tell the host that a guest cancelled their confirmed booking (seats free again)."""
    _send(
        booking,
        to=booking.event.host,
        subject=gettext_noop("Cancelled booking for %(title)s"),
        template="emails/bookings/host_guest_cancelled.txt",
        seats_left=event_seats_available(event=booking.event),
    )


def send_reminder(booking: Booking) -> None:
    _send(
        booking,
        to=booking.guest,
        subject=gettext_noop("Tomorrow: %(title)s"),
        template="emails/bookings/reminder.txt",
    )


def _one_line(text: str) -> str:
    return ", ".join(part for part in (line.strip(" ,") for line in text.splitlines()) if part)


def _change_lines(booking: Booking, changes: dict) -> list[dict]:
    """What changed, one ``{"label", "old", "new"}`` per field, in the active language."""
    event = booking.event
    labels = {
        "starts_at": _("Start"),
        "ends_at": _("End"),
        "city": _("City"),
        "commune": _("Commune"),
        "address": _("Address"),
    }
    lines = []
    for field, label in labels.items():
        if field not in changes:
            continue
        old, new = changes[field]
        if field in ("starts_at", "ends_at"):
            old, new = _when(event, old), _when(event, new)
        elif field == "address":
            old, new = (_one_line(value) for value in (old, new))
        lines.append({"label": label, "old": old or "—", "new": new or "—"})
    return lines


def send_event_changed(booking: Booking, *, changes: dict) -> None:
    """Tell a confirmed guest that the host moved the event: old → new, then the full details
    as they now stand (time in the city's zone, exact address)."""
    with translation.override(booking.guest.language or settings.LANGUAGE_CODE):
        lines = _change_lines(booking, changes)
    _send(
        booking,
        to=booking.guest,
        subject=gettext_noop("Changed: %(title)s"),
        template="emails/bookings/event_changed.txt",
        ics=True,
        changes=lines,
    )
