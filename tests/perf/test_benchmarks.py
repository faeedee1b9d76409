"""Benchmarks: how long the busiest pages and the seat hold take, printed as "BENCH" lines at the
end of the run. Run only these with ``pytest -m perf``; the figures mean most on the real stack
(``DATABASE_URL`` set). See docs/PERF.md for what was measured on the development machine."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_hold
from events.models import Event
from tests.factories import CommuneFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.perf, pytest.mark.django_db]

LIST_URL = "/en/events/"


def publish_many(*, count: int, host, communes) -> list[Event]:
    """``count`` published upcoming events, spread over the next weeks and communes."""
    now = timezone.now()
    events = []
    for i in range(count):
        start = now + timedelta(days=1, hours=i)
        events.append(
            EventFactory.build(
                host=host,
                commune=communes[i % len(communes)],
                title=f"Benchmark dinner {i}",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                booking_deadline=start - timedelta(hours=2),
                cancellation_deadline=start - timedelta(hours=48),
            )
        )
    return Event.objects.bulk_create(events)


@pytest.fixture
def communes(brussels):
    return [
        CommuneFactory(city=brussels, name=name)
        for name in ("Ixelles", "Uccle", "Schaerbeek", "Saint-Gilles", "Etterbeek")
    ]


@pytest.mark.parametrize("count", [50, 500])
def test_event_list_page(bench, client, host, communes, count):
    publish_many(count=count, host=host, communes=communes)
    commune = communes[0]

    def first_page():
        response = client.get(LIST_URL)
        assert response.status_code == 200
        assert "Benchmark dinner 0" in response.content.decode()

    def filtered_last_page():
        # An out-of-range page number shows the last page.
        response = client.get(LIST_URL, {"commune": commune.pk, "page": 9999})
        assert response.status_code == 200

    bench.time(f"event list, {count} published events, first page", first_page, runs=15)
    bench.time(
        f"event list, {count} published events, one commune, last page",
        filtered_last_page,
        runs=15,
    )


def test_event_detail_page(bench, client, user, host, communes):
    publish_many(count=50, host=host, communes=communes)
    event = EventFactory(host=host, commune=communes[0], title="The one to open")

    def detail():
        response = client.get(event.get_absolute_url())
        assert response.status_code == 200
        assert "The one to open" in response.content.decode()

    bench.time("event detail, anonymous visitor", detail, runs=20)
    client.force_login(user)
    bench.time("event detail, signed-in guest (booking form)", detail, runs=20)


def test_booking_hold_throughput(bench, host, communes):
    """Sequential seat holds, each its own transaction with the event row lock."""
    events = [EventFactory(host=host, commune=communes[0], capacity=50) for _ in range(2)]
    guests = [UserFactory() for _ in range(100)]

    start = time.perf_counter()
    for i, guest in enumerate(guests):
        booking_hold(event_id=events[i % 2].pk, guest=guest, seats=1)
    elapsed = time.perf_counter() - start

    assert Booking.objects.filter(status=Booking.Status.HELD).count() == 100
    assert [e.seats_left for e in Event.objects.filter(pk__in=[e.pk for e in events])] == [0, 0]
    bench.note(
        f"booking_hold, 100 sequential holds on 2 events: {100 / elapsed:.0f} holds/s, "
        f"{elapsed * 1000 / 100:.2f} ms each"
    )
