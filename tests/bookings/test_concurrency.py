"""No overbooking: many guests at the same moment for the last seats (PostgreSQL row locks).

The second test bypasses the event row lock and shows the race is real (the CHECK constraint or
an oversell catches it), so the first test could fail if the lock were missing.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from bookings import services
from bookings.models import Booking
from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


def race_for_last_seats(event, guests):
    """Every guest tries to hold one seat at the same instant; returns the outcomes."""
    barrier = threading.Barrier(len(guests))
    outcomes = []
    lock = threading.Lock()

    def attempt(guest):
        try:
            barrier.wait()
            try:
                services.booking_hold(event_id=event.pk, guest=guest, seats=1)
                result = "held"
            except ValidationError as exc:
                result = exc.code
            except IntegrityError:
                result = "constraint"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(guest,)) for guest in guests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def last_three_seats(host, ixelles):
    event = EventFactory(host=host, commune=ixelles, capacity=8)
    Event.objects.filter(pk=event.pk).update(seats_reserved=5)
    guests = [UserFactory() for _ in range(THREADS)]
    return event, guests


def test_fifty_guests_for_the_last_three_seats_hold_exactly_three(last_three_seats):
    event, guests = last_three_seats

    outcomes = race_for_last_seats(event, guests)

    assert len(outcomes) == THREADS
    assert outcomes.count("held") == 3
    assert outcomes.count("sold_out") == THREADS - 3
    event.refresh_from_db()
    assert event.seats_reserved == event.capacity == 8
    assert Booking.objects.filter(event=event, status=Booking.Status.HELD).count() == 3


def test_without_the_row_lock_the_race_oversells_or_hits_the_constraint(
    last_three_seats, monkeypatch
):
    """Proof that the test above can fail: bypass select_for_update and widen the window."""
    event, guests = last_three_seats

    def unlocked_read(event_id):
        found = Event.objects.get(pk=event_id)  # no select_for_update
        time.sleep(0.3)  # everyone reads "3 seats left" before anyone writes
        return found

    monkeypatch.setattr(services, "_lock_event", unlocked_read)

    outcomes = race_for_last_seats(event, guests)

    passed_the_check = outcomes.count("held") + outcomes.count("constraint")
    assert passed_the_check > 3, outcomes  # more guests than seats got past the count
    assert outcomes.count("constraint") > 0  # the CHECK constraint was the last line of defence
    event.refresh_from_db()
    assert event.seats_reserved <= event.capacity
