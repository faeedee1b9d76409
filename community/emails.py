"""The emails of the community app, each in its recipient's language. Called by tasks only."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from bookings.models import Booking

from .models import Message


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(*, to: User, subject: str, template: str, context: dict) -> None:
    """Render subject and body inside the recipient's language (``User.language``).

    ``subject`` is a message id with ``%(title)s``; it is translated here, not by the caller.
    URLs are reversed here too, so they carry the recipient's language prefix.
    """
    with translation.override(to.language or settings.LANGUAGE_CODE):
        context = {key: value() if callable(value) else value for key, value in context.items()}
        message = EmailMultiAlternatives(
            subject="[Meetsies] " + _(subject) % {"title": context["event"].title},
            body=render_to_string(template, context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to.email],
        )
        message.send()


def send_review_invitation(booking: Booking) -> None:
    """Invite a guest who came to say how the evening was (no exact address, no other guest)."""
    event = booking.event
    _send(
        to=booking.guest,
        subject=gettext_noop("How was %(title)s?"),
        template="emails/community/review_invitation.txt",
        context={
            "booking": booking,
            "event": event,
            "host_name": event.host.display_name,
            "guest_name": booking.guest.display_name,
            "when": lambda: date_format(
                timezone.localtime(event.starts_at, event.city.tz), "l j F Y"
            ),
            "review_url": lambda: _absolute(
                reverse("community:review_write", kwargs={"reference": booking.reference})
            ),
        },
    )


def send_message_notification(message: Message, *, to: User) -> None:
    """Tell the other side of a thread that a message arrived: its text and a link back.

    The text is what the sender wrote, nothing added by us: in particular never the exact
    address, whatever the booking's status.
    """
    conversation = message.conversation
    event = conversation.booking.event
    announcement = message.kind == Message.Kind.ANNOUNCEMENT
    _send(
        to=to,
        subject=(
            gettext_noop("The host wrote to all guests of %(title)s")
            if announcement
            else gettext_noop("New message about %(title)s")
        ),
        template="emails/community/message.txt",
        context={
            "message": message,
            "event": event,
            "sender_name": message.sender.display_name,
            "recipient_name": to.display_name,
            "announcement": announcement,
            "thread_url": lambda: _absolute(
                reverse("community:conversation", kwargs={"pk": conversation.pk})
            ),
        },
    )
