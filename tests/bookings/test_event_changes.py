"""When the host moves a published event (time or place), every confirmed guest is emailed
what changed, in their own language, with times in the event city's zone and the new address.
Guests still holding seats or who cancelled are not."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings import tasks
from bookings.models import Booking
from events import services as event_services
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def booking(event, guest, status) -> Booking:
    now = timezone.now()
    return Booking.objects.create(
        event=event,
        guest=guest,
        seats=2,
        unit_price_cents=2500,
        gross_cents=5000,
        pledge_percent=50,
        pledge_cents=2500,
        host_cents=2500,
        status=status,
        hold_expires_at=now + timedelta(minutes=10),
        confirmed_at=now if status == Booking.Status.CONFIRMED else None,
        cancelled_at=now if status == Booking.Status.CANCELLED else None,
    )


def data_for(event, **changes):
    fields = {
        name: getattr(event, name)
        for name in event_services.EventData.__dataclass_fields__
        if name != "cancellation_deadline"
    }
    fields.update(changes)
    return event_services.EventData(**fields)


@pytest.fixture
def dinner(host, ixelles):
    """19:30 Brussels time (18:30 UTC) on 15 January next year."""
    start = timezone.make_aware(datetime(timezone.now().year + 1, 1, 15, 19, 30), ixelles.city.tz)
    return EventFactory(
        host=host,
        commune=ixelles,
        title="Mezze night",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        booking_deadline=start - timedelta(hours=2),
        cancellation_deadline=start - timedelta(hours=48),
    )


def move(dinner, host, capture, **changes):
    with capture(execute=True):
        event_services.event_update(
            event_id=dinner.pk, actor=host, data=data_for(dinner, **changes)
        )


def later_by_an_hour(dinner) -> dict:
    start = dinner.starts_at + timedelta(hours=1)
    return {
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "booking_deadline": start - timedelta(hours=2),
        "address": "Chaussée de Vleurgat 3\n1050 Ixelles",
    }


def test_confirmed_guests_are_told_old_and_new_time_in_the_city_zone_and_the_new_address(
    dinner, host, django_capture_on_commit_callbacks
):
    confirmed = UserFactory(email="c@example.org", first_name="Cleo")
    held = UserFactory(email="h@example.org", first_name="Hugo")
    cancelled = UserFactory(email="x@example.org", first_name="Xavi")
    booking(dinner, confirmed, Booking.Status.CONFIRMED)
    booking(dinner, held, Booking.Status.HELD)
    booking(dinner, cancelled, Booking.Status.CANCELLED)

    move(dinner, host, django_capture_on_commit_callbacks, **later_by_an_hour(dinner))

    assert [m.to for m in mail.outbox] == [["c@example.org"]]
    [message] = mail.outbox
    assert message.subject == "[Meetsies] Changed: Mezze night"
    body = message.body
    assert "Hello Cleo," in body
    # Brussels wall-clock times (the site runs in UTC: 18:30 → 19:30 would be wrong here).
    assert "19:30 → " in body and "20:30" in body
    assert "18:30" not in body
    assert "End: " in body and "22:30 → " in body and "23:30" in body
    assert "Address: Rue du Bailli 12, 1050 Ixelles → Chaussée de Vleurgat 3, 1050 Ixelles" in body
    assert "Where: Chaussée de Vleurgat 3, 1050 Ixelles, Brussels" in body
    assert "Rue du Bailli" not in body.split("Where:")[1]


def test_a_french_guest_is_told_in_french(dinner, host, django_capture_on_commit_callbacks):
    guest = UserFactory(email="f@example.org", first_name="Fleur", language="fr")
    booking(dinner, guest, Booking.Status.CONFIRMED)

    move(dinner, host, django_capture_on_commit_callbacks, **later_by_an_hour(dinner))

    [message] = mail.outbox
    assert message.subject == "[Meetsies] Modifié : Mezze night"
    assert "Bonjour Fleur," in message.body
    assert "janvier" in message.body
    assert "Début: " in message.body and "15 janvier" in message.body and "19:30 → " in message.body
    assert "Adresse: Rue du Bailli 12, 1050 Ixelles → Chaussée de Vleurgat 3" in message.body
    assert "(heure de Brussels)" in message.body
    assert "Changed" not in message.body and "Start:" not in message.body


def test_a_typo_fix_emails_nobody(dinner, host, guest, django_capture_on_commit_callbacks):
    booking(dinner, guest, Booking.Status.CONFIRMED)
    move(dinner, host, django_capture_on_commit_callbacks, title="Mezze night!")
    assert mail.outbox == []


def test_a_repeated_task_does_not_email_twice(dinner, guest):
    confirmed = booking(dinner, guest, Booking.Status.CONFIRMED)
    changes = {"commune": ["Ixelles", "Etterbeek"]}
    assert tasks.send_event_change(confirmed.pk, changes) is True
    assert tasks.send_event_change(confirmed.pk, changes) is False
    assert len(mail.outbox) == 1
    assert "Commune: Ixelles → Etterbeek" in mail.outbox[0].body
    # A later, different change is news again.
    assert tasks.send_event_change(confirmed.pk, {"commune": ["Etterbeek", "Ixelles"]}) is True
    assert len(mail.outbox) == 2
