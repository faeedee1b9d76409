"""Booking emails are written in their recipient's language: the language of the pages that
person last read (``User.language``), not the language of whoever's request or task sent them.

Needs the compiled catalogues: ``manage.py compilemessages --ignore=.venv``.
"""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from bookings import services
from bookings.models import Booking
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def attachment_text(message) -> str:
    _name, content, _type = message.attachments[0]
    return content.decode() if isinstance(content, bytes) else content


def mail_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def free_dinner(host, ixelles):
    start = timezone.make_aware(datetime(timezone.now().year + 1, 1, 15, 19, 30), ixelles.city.tz)
    return EventFactory(
        host=host,
        commune=ixelles,
        title="Mezze night",
        contribution_cents=0,
        pledge_percent=0,
        starts_at=start,
        booking_deadline=start - timedelta(hours=2),
        cancellation_deadline=start - timedelta(hours=48),
    )


def test_a_guest_who_browses_in_french_is_confirmed_in_french_and_the_host_in_dutch(
    client, host, guest, free_dinner, django_capture_on_commit_callbacks
):
    host_client = client.__class__()
    host_client.force_login(host)
    host_client.get("/nl/")
    client.force_login(guest)
    client.get("/fr/")  # the guest reads the site in French

    # The guest books on a French page; the host's email follows the host's own language.
    with translation.override("fr"):
        url = reverse("bookings:hold", kwargs={"event_pk": free_dinner.pk})
    assert url.startswith("/fr/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"seats": 1})
    assert response.status_code == 302

    [to_guest] = mail_to(guest)
    assert to_guest.subject == "[Meetsies] C’est réservé : Mezze night"
    assert "Bonjour Gabi," in to_guest.body
    assert "Votre réservation pour « Mezze night » est confirmée." in to_guest.body
    assert "Quand : " in to_guest.body or "Quand: " in to_guest.body
    assert "janvier" in to_guest.body  # the date too
    assert "/fr/bookings/" in to_guest.body  # and the link to the booking
    assert "is confirmed" not in to_guest.body
    assert "Hôte : " in attachment_text(to_guest)  # the calendar file agrees

    [to_host] = mail_to(host)
    assert to_host.subject == "[Meetsies] Nieuwe reservatie voor Mezze night"
    assert "Hallo Hana," in to_host.body
    assert 'Gabi heeft 1 plaats gereserveerd voor "Mezze night".' in to_host.body
    assert "Resterende plaatsen" in to_host.body
    assert "/nl/bookings/" in to_host.body


def test_a_task_running_in_another_language_still_writes_in_the_guests(
    host, guest, free_dinner, django_capture_on_commit_callbacks
):
    """Celery runs the email tasks outside any request; eager mode inside the request."""
    User.objects.filter(pk=guest.pk).update(language="fr")
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_hold(event_id=free_dinner.pk, guest=guest, seats=1)
    assert mail_to(guest)[0].subject == "[Meetsies] C’est réservé : Mezze night"
    assert mail_to(host)[0].subject == "[Meetsies] New booking for Mezze night"

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking_id=booking.pk, guest=guest)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    cancelled = mail_to(guest)[-1]
    assert cancelled.subject == "[Meetsies] Réservation annulée : Mezze night"
    assert "Bonjour Gabi," in cancelled.body


def test_the_reminder_is_in_the_guests_language(host, guest, ixelles):
    from bookings.tasks import send_due_reminders

    soon = EventFactory(
        host=host,
        commune=ixelles,
        title="Game night",
        contribution_cents=0,
        pledge_percent=0,
        starts_at=timezone.now() + timedelta(hours=20),
        booking_deadline=timezone.now() + timedelta(hours=10),
        cancellation_deadline=timezone.now() + timedelta(hours=5),
    )
    services.booking_hold(event_id=soon.pk, guest=guest, seats=1)
    User.objects.filter(pk=guest.pk).update(language="fr")
    mail.outbox.clear()

    assert send_due_reminders() == 1
    [reminder] = mail_to(guest)
    assert reminder.subject == "[Meetsies] Demain : Game night"
    assert "Hôte : " in reminder.body or "Hôte: " in reminder.body
