"""Who may do what, as pure checks the services and the pages share.

Each ``*_refusal`` returns ``None`` when the action is allowed, else a ``ValidationError`` with a
``code`` that says why (the services raise it; the pages show or hide links with it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking
from events.models import Event

NO_SHOW_WINDOW = timedelta(days=7)
REVIEW_WINDOW = timedelta(days=30)
REVIEW_EDIT_WINDOW = timedelta(hours=48)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def no_show_refusal(*, booking: Booking, actor, now: datetime | None = None):
    """The host may mark (or unmark) a confirmed guest of a completed event for 7 days after it."""
    now = now or timezone.now()
    event = booking.event
    if actor is None or event.host_id != actor.pk:
        return _refuse(_("Only the host can record who came."), "not_host")
    if event.status != Event.Status.COMPLETED:
        return _refuse(
            _("You can record who came once the event has taken place."), "not_completed"
        )
    if now > event.ends_at + NO_SHOW_WINDOW:
        return _refuse(
            _("Who came can be recorded for 7 days after the event; that time is over."),
            "window_closed",
        )
    if booking.status != Booking.Status.CONFIRMED:
        return _refuse(_("Only confirmed guests can be marked."), "not_confirmed")
    return None


def review_refusal(*, booking: Booking, author, now: datetime | None = None):
    """A guest may review the host of a completed event they attended, once, within 30 days."""
    now = now or timezone.now()
    event = booking.event
    if author is None or not author.is_authenticated or booking.guest_id != author.pk:
        return _refuse(_("You can only review an event you booked."), "not_your_booking")
    if event.host_id == author.pk:
        return _refuse(_("Hosts cannot review their own events."), "own_event")
    if booking.status != Booking.Status.CONFIRMED:
        return _refuse(_("You can only review an event you attended."), "not_attended")
    if event.status != Event.Status.COMPLETED:
        return _refuse(_("You can review the evening once it has taken place."), "not_completed")
    if hasattr(booking, "no_show"):
        return _refuse(_("The host recorded that you did not come."), "no_show")
    if now > event.ends_at + REVIEW_WINDOW:
        return _refuse(
            _("Reviews can be written for 30 days after the event; that time is over."),
            "window_closed",
        )
    return None


def review_edit_refusal(*, review, author, now: datetime | None = None):
    """The author may edit their review for 48 hours after writing it (not once it is hidden)."""
    now = now or timezone.now()
    if author is None or review.author_id != author.pk:
        return _refuse(_("Only the author can edit a review."), "not_author")
    if review.hidden_at is not None:
        return _refuse(_("This review was hidden by our moderators."), "hidden")
    if now > review.created_at + REVIEW_EDIT_WINDOW:
        return _refuse(
            _("A review can be edited for 48 hours after it was written."), "edit_window_closed"
        )
    return None


def booking_is_active(booking: Booking, *, now: datetime | None = None) -> bool:
    """Confirmed, or held and the hold has not lapsed: the guest's side of a thread is open."""
    now = now or timezone.now()
    if booking.status == Booking.Status.CONFIRMED:
        return True
    return booking.status == Booking.Status.HELD and booking.hold_expires_at > now


def conversation_role(*, booking: Booking, user, now: datetime | None = None) -> str | None:
    """ "host" or "guest" when ``user`` may read the booking's thread; ``None`` otherwise.

    The host reads every thread of their events; a guest only while the booking is active
    (a lapsed hold or a cancellation closes it).
    """
    if user is None or not user.is_authenticated:
        return None
    if booking.event.host_id == user.pk:
        return "host"
    if booking.guest_id == user.pk and booking_is_active(booking, now=now):
        return "guest"
    return None


def message_refusal(*, conversation, sender, now: datetime | None = None):
    """Messages go both ways while the booking is active and the event has not started."""
    now = now or timezone.now()
    booking = conversation.booking
    if conversation_role(booking=booking, user=sender, now=now) is None:
        return _refuse(_("You cannot write in this conversation."), "no_access")
    if not booking_is_active(booking, now=now):
        return _refuse(_("This booking is no longer active."), "booking_inactive")
    event = booking.event
    if event.status != Event.Status.PUBLISHED or event.starts_at <= now:
        return _refuse(_("Messages can be sent until the event starts."), "event_not_upcoming")
    if conversation.blocked_at is not None:
        return _refuse(_("This conversation is blocked."), "blocked")
    return None
