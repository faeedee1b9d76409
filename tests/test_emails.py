"""Every email is multipart: the plain text plus an HTML part in the site's design (issue 11)."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts import newsletter_services
from bookings import emails, services
from bookings.models import Booking
from meetsies.mail import email_build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _assert_site_html(message):
    assert message.body.strip()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert html.lstrip().startswith(("<!DOCTYPE html>", "{% load")) or "<html" in html
    assert 'style="' in html  # inline CSS: mail apps drop <style> and stylesheets
    assert "<link" not in html
    assert not re.search(r"<img[^>]+src=\"https?://", html)  # no remote images
    for url in re.findall(r"https?://[^\s\"<>]+", message.body):
        assert url in html, url  # every link of the text is in the HTML too
    return html


@pytest.fixture
def booking(event):
    guest = UserFactory(first_name="Gabi")
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    return Booking.objects.select_related("event", "guest", "event__host").get(pk=booking.pk)


@pytest.mark.parametrize(
    "send",
    [
        lambda b: emails.send_guest_confirmation(b),
        lambda b: emails.send_host_new_booking(b),
        lambda b: emails.send_cancellation(
            b, reason="guest_cancelled", refunded_cents=5000, paid=True
        ),
        lambda b: emails.send_host_guest_cancelled(b),
        lambda b: emails.send_reminder(b),
        lambda b: emails.send_event_changed(b, changes={"address": ["Rue A 1", "Rue B 2"]}),
    ],
    ids=["confirmation", "host-new", "cancelled", "host-cancelled", "reminder", "changed"],
)
def test_booking_emails_are_multipart(booking, send):
    send(booking)
    [message] = mail.outbox
    html = _assert_site_html(message)
    assert booking.event.title in html


def test_the_confirmation_keeps_its_calendar_file(booking):
    emails.send_guest_confirmation(booking)
    [message] = mail.outbox
    assert [name for name, _content, _type in message.attachments] == ["meetsies.ics"]


def test_newsletter_confirmation_is_multipart(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_services.newsletter_subscribe(email="reader@example.org", language="en")
    assert mail.outbox, "the subscription sent no email"
    _assert_site_html(mail.outbox[0])


def test_html_escapes_what_people_typed():
    message = email_build(
        to=["a@example.org"],
        subject="Hi",
        template="emails/bookings/host_guest_cancelled",
        context={
            "host": UserFactory.build(first_name="<b>Eve</b>"),
            "guest": UserFactory.build(first_name="Gabi"),
            "event": type("E", (), {"title": "<script>x</script>"})(),
            "booking": type("B", (), {"seats": 1, "reference": "ABC"})(),
            "seats_left": 3,
            "guests_url": "http://127.0.0.1:8000/en/bookings/event/1/guests/",
        },
    )
    html = message.alternatives[0][0]
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="http://127.0.0.1:8000/en/bookings/event/1/guests/"' in html
