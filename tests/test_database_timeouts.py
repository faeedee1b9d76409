"""PostgreSQL gives up on a stuck lock within seconds, and the page says so (503, not 500)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from bookings.models import Booking
from events.models import Event
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_web_connections_carry_lock_and_statement_timeouts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
    assert lock_timeout == f"{settings.DB_LOCK_TIMEOUT_MS}ms".replace("000ms", "s")
    assert statement_timeout == f"{settings.DB_STATEMENT_TIMEOUT_MS}ms".replace("000ms", "s")


@pytest.mark.django_db(transaction=True)
def test_a_hold_waiting_on_a_stuck_event_lock_answers_503_quickly_and_saves_nothing(
    event, settings
):
    guest = UserFactory()
    locked, release = threading.Event(), threading.Event()

    def hold_the_row_lock():
        try:
            with transaction.atomic():
                Event.objects.select_for_update().get(pk=event.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")  # the test's own connection serves the view
        client = Client()
        client.force_login(guest)
        started = time.monotonic()
        response = client.post(
            reverse("bookings:hold", kwargs={"event_pk": event.pk}), {"seats": 1}
        )
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved" in response.content.decode()
    assert elapsed < 10
    assert not Booking.objects.exists()
    assert Event.objects.get(pk=event.pk).seats_reserved == 0
