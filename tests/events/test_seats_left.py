"""Bug 3 of issue 11: a hold that ran out never counts in the seats a page shows as left,
whether or not beat has swept it yet."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed(event):
    """Two seats of ``event`` (8 seats) held by someone whose hold ran out 21 seconds ago."""
    booking = services.booking_hold(event_id=event.pk, guest=UserFactory(), seats=2)
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=21)
    )
    event.refresh_from_db()
    assert event.seats_reserved == 2  # nothing swept it
    return booking


def test_event_page_does_not_count_a_lapsed_hold(client, event, lapsed):
    html = client.get(reverse("events:detail", kwargs={"pk": event.pk})).content.decode()
    assert "8 of 8 seats left" in html
    assert "6 of 8" not in html


def test_a_running_hold_still_counts(client, event):
    services.booking_hold(event_id=event.pk, guest=UserFactory(), seats=2)
    html = client.get(reverse("events:detail", kwargs={"pk": event.pk})).content.decode()
    assert "6 of 8 seats left" in html


def test_event_list_and_home_do_not_count_a_lapsed_hold(client, event, lapsed):
    html = client.get(reverse("events:list")).content.decode()
    assert "8 seats left" in html
    assert "6 seats left" not in html
    html = client.get(reverse("home")).content.decode()
    assert "6 seats left" not in html


def test_host_page_and_my_events_do_not_count_a_lapsed_hold(client, event, host, lapsed):
    html = client.get(reverse("accounts:host", kwargs={"user_id": host.pk})).content.decode()
    assert "6 seats left" not in html
    client.force_login(host)
    html = client.get(reverse("events:mine")).content.decode()
    assert "0 / 8" in html
    assert "2 / 8" not in html


def test_the_list_takes_the_same_queries_with_lapsed_holds(
    client, host, ixelles, django_assert_max_num_queries
):
    for _ in range(12):
        held = EventFactory(host=host, commune=ixelles)
        booking = services.booking_hold(event_id=held.pk, guest=UserFactory(), seats=1)
        Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:list"))
    assert response.content.decode().count("8 seats left") == 12


def test_embedded_periodic_runner_expires_lapsed_holds(event, lapsed):
    call_command("runperiodic", "--once")
    lapsed.refresh_from_db()
    event.refresh_from_db()
    assert lapsed.status == Booking.Status.EXPIRED
    assert event.seats_reserved == 0
    assert Event.objects.get(pk=event.pk).seats_left == 8
