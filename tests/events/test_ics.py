"""The one calendar-file builder (``events.ics``): where the event is, for the host's download
and for a guest's confirmation email, without naming the commune twice."""

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from bookings import services
from events.ics import event_place
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def vevent_of(content: bytes | str):
    (vevent,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return vevent


def test_the_hosts_calendar_file_names_the_commune_once(client, host, event):
    """The factory's address already ends in "1050 Ixelles": no "1050 Ixelles, Ixelles"."""
    client.force_login(host)
    response = client.get(reverse("events:ics", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    vevent = vevent_of(response.content)
    assert str(vevent["location"]) == "Rue du Bailli 12, 1050 Ixelles, Brussels"
    assert str(vevent["uid"]) == f"event-{event.pk}@meetsies"


def test_an_address_on_several_lines_becomes_one_line_with_commune_and_city(host, ixelles):
    event = EventFactory(host=host, commune=ixelles, address="Rue Malibran 3,\n2nd floor\n")
    assert event_place(event, exact=True) == "Rue Malibran 3, 2nd floor, Ixelles, Brussels"
    assert event_place(event) == "Ixelles, Brussels"


def test_the_booking_email_file_comes_from_the_same_builder(
    host, ixelles, django_capture_on_commit_callbacks
):
    guest = UserFactory()
    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_hold(event_id=free.pk, guest=guest, seats=2)
    [message] = [m for m in mail.outbox if m.to == [guest.email]]
    _name, content, _type = message.attachments[0]
    vevent = vevent_of(content)
    assert str(vevent["location"]) == "Rue du Bailli 12, 1050 Ixelles, Brussels"
    assert str(vevent["uid"]) == f"booking-{booking.reference}@meetsies"
    assert str(vevent["url"]).endswith(booking.get_absolute_url())
    assert "Seats: 2" in str(vevent["description"])
    assert vevent.decoded("dtstart") == free.starts_at.replace(microsecond=0)
    assert str(vevent["status"]) == "CONFIRMED"
