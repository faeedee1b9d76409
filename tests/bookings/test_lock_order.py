"""One lock order everywhere (event row, then booking row, then payment row), so that two paths
working on the same booking at once wait for each other instead of deadlocking (PostgreSQL)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import services, stripe_gateway
from bookings.models import Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ORDER = ["events_event", "bookings_booking", "bookings_payment"]


def locked_tables(sql: str) -> list[str]:
    """The tables whose rows a statement locks: FOR UPDATE (OF …) rows, or UPDATE's table."""
    if sql.startswith("UPDATE"):
        return [re.match(r'UPDATE "(\w+)"', sql).group(1)]
    if "FOR UPDATE" not in sql:
        return []
    of = re.search(r"FOR UPDATE OF (.*)$", sql)
    if of:
        return re.findall(r'"(\w+)"', of.group(1))
    return re.findall(r'(?:FROM|JOIN) "(\w+)"', sql)


def assert_lock_order(queries):
    taken = []
    for query in queries:
        for table in locked_tables(query["sql"]):
            if table in ORDER and table not in taken:
                taken.append(table)
    assert taken == sorted(taken, key=ORDER.index), taken


@pytest.fixture
def paid_booking(event, guest):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_paid",
        status=Payment.Status.SUCCEEDED,
    )
    return booking


def test_recording_a_refund_locks_the_booking_before_the_payment(paid_booking, monkeypatch):
    captured = CaptureQueriesContext(connection)

    def refund_create(**kwargs):
        captured.__enter__()  # watch what happens once Stripe has refunded
        return "re_1"

    monkeypatch.setattr(stripe_gateway, "refund_create", refund_create)
    services.payment_refund(payment_id=paid_booking.payment.pk, reason="staff")
    captured.__exit__(None, None, None)
    assert_lock_order(captured.captured_queries)


def test_a_late_success_event_locks_event_booking_payment_in_order(paid_booking):
    intent = stripe_gateway.Intent(
        id="pi_paid", status="succeeded", amount=5000, client_secret="", last_error="", metadata={}
    )
    with CaptureQueriesContext(connection) as captured:
        services.payment_intent_sync(intent=intent)
    assert_lock_order(captured.captured_queries)
