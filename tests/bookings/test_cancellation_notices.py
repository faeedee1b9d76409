"""Who hears about a cancellation, and where its links go (bugs 4 and 7 of issue 11)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from events import services as event_services

pytestmark = pytest.mark.django_db


def _confirmed(event, guest, seats=2):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=seats)
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    return booking


def _to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_guest_cancelling_tells_the_host(event, host, guest, django_capture_on_commit_callbacks):
    booking = _confirmed(event, guest)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking_id=booking.pk, guest=guest)
    [notice] = _to(host.email)
    assert event.title in notice.subject
    assert "Gabi" in notice.body
    assert "2 seats" in notice.body
    assert reverse("bookings:guests", kwargs={"pk": event.pk}) in notice.body
    assert "8 of 8" in notice.body or "Seats left: 8" in notice.body
    assert len(_to(guest.email)) == 1  # and the guest still gets their own email, once


def test_host_hears_once_even_if_the_task_runs_again(
    event, host, guest, django_capture_on_commit_callbacks
):
    from bookings import tasks

    booking = _confirmed(event, guest)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking_id=booking.pk, guest=guest)
    tasks.settle_cancelled_booking(booking.pk, "guest_cancelled", True)
    assert len(_to(host.email)) == 1


def test_host_is_not_told_about_their_own_cancellation(
    event, host, guest, django_capture_on_commit_callbacks
):
    _confirmed(event, guest)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_cancel(event_id=event.pk, actor=host)
    assert _to(host.email) == []
    assert len(_to(guest.email)) == 1


def test_cancellation_email_suggests_other_events_not_the_cancelled_one(
    event, host, guest, django_capture_on_commit_callbacks, settings
):
    _confirmed(event, guest)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_cancel(event_id=event.pk, actor=host)
    [message] = _to(guest.email)
    line = next(line for line in message.body.splitlines() if "Find another event" in line)
    assert line.endswith(f"{settings.SITE_URL}{reverse('events:list')}")
    assert event.get_absolute_url() not in line
