"""The emails of the bookings app. Called by tasks only (never inside a transaction)."""

from __future__ import annotations

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Booking
from .templatetags.booking_tags import place


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def booking_ics(booking: Booking) -> bytes:
    """A calendar entry for a confirmed booking, with the exact address, in the city's zone."""
    event = booking.event
    tz = event.city.tz
    entry = icalendar.Event()
    entry.add("uid", f"booking-{booking.reference}@meetsies")
    entry.add("dtstamp", timezone.now())
    entry.add("summary", event.title)
    entry.add("dtstart", timezone.localtime(event.starts_at, tz))
    entry.add("dtend", timezone.localtime(event.ends_at, tz))
    entry.add("location", place(event, exact=True))
    entry.add(
        "description",
        _("Host: %(host)s. Seats: %(seats)s. Booking %(reference)s.")
        % {"host": event.host.display_name, "seats": booking.seats, "reference": booking.reference},
    )
    entry.add("url", _absolute(booking.get_absolute_url()))
    entry.add("status", "CONFIRMED")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Meetsies//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _context(booking: Booking, **extra) -> dict:
    event = booking.event
    return {
        "booking": booking,
        "event": event,
        "host": event.host,
        "where": place(event, exact=True),
        "guest": booking.guest,
        # Formatted here, in the city's time zone: template filters would use the site's zone.
        "starts": date_format(timezone.localtime(event.starts_at, event.city.tz), "l j F Y, H:i"),
        "booking_url": _absolute(booking.get_absolute_url()),
        "event_url": _absolute(event.get_absolute_url()),
        "guests_url": _absolute(reverse("bookings:guests", kwargs={"pk": event.pk})),
        **extra,
    }


def _send(*, to: str, subject: str, template: str, context: dict, ics: bytes | None = None):
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        message = EmailMultiAlternatives(
            subject=f"[Meetsies] {subject}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        if ics is not None:
            message.attach("meetsies.ics", ics, "text/calendar; charset=utf-8; method=PUBLISH")
        message.send()


def send_guest_confirmation(booking: Booking) -> None:
    _send(
        to=booking.guest.email,
        subject=_("You're booked: %(title)s") % {"title": booking.event.title},
        template="emails/bookings/confirmation.txt",
        context=_context(booking),
        ics=booking_ics(booking),
    )


def send_host_new_booking(booking: Booking) -> None:
    _send(
        to=booking.event.host.email,
        subject=_("New booking for %(title)s") % {"title": booking.event.title},
        template="emails/bookings/host_new_booking.txt",
        context=_context(booking),
    )


def send_cancellation(booking: Booking, *, reason: str, refunded_cents: int, paid: bool) -> None:
    _send(
        to=booking.guest.email,
        subject=_("Booking cancelled: %(title)s") % {"title": booking.event.title},
        template="emails/bookings/cancelled.txt",
        context=_context(booking, reason=reason, refunded_cents=refunded_cents, paid=paid),
    )


def send_reminder(booking: Booking) -> None:
    _send(
        to=booking.guest.email,
        subject=_("Tomorrow: %(title)s") % {"title": booking.event.title},
        template="emails/bookings/reminder.txt",
        context=_context(booking),
    )
