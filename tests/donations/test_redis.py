"""The pledge path on a real broker: Redis unreachable, messages lost, and a real worker.

These use the Celery app itself (not eager mode): ``celery_on`` points it at a broker URL
and turns eager execution off for the duration of the test.
"""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from donations import tasks
from donations.models import Fund, LedgerEntry
from tests.broker import celery_on, closed_port

from .factories import paid_booking, send_payment_succeeded

pytestmark = pytest.mark.redis


def _pledges(payment) -> int:
    return LedgerEntry.objects.filter(reference=f"payment:{payment.pk}").count()


@pytest.mark.django_db
def test_redis_down_payment_succeeds_then_the_sweep_records_the_pledge(
    fund, django_capture_on_commit_callbacks, caplog
):
    payment = paid_booking(seats=2)
    with celery_on(f"redis://127.0.0.1:{closed_port()}/0"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            send_payment_succeeded(payment)  # the bookings flow goes on: nothing raised
        assert time.monotonic() - started < 30
    assert "Could not enqueue donations.pledge_route" in caplog.text
    assert _pledges(payment) == 0

    # Redis is back; beat runs the sweep (here in-process, as the eager default would).
    counts = tasks.fund_sweep.apply().get()

    assert counts["pledges"] == 1
    assert _pledges(payment) == 1
    fund.refresh_from_db()
    assert fund.pledged_cents == 2500


@pytest.mark.django_db
def test_enqueued_on_redis_but_lost_then_the_sweep_records_the_pledge(
    fund, django_capture_on_commit_callbacks
):
    payment = paid_booking(seats=2)
    with celery_on(os.environ["REDIS_URL"]) as app:
        app.control.purge()
        with django_capture_on_commit_callbacks(execute=True):
            send_payment_succeeded(payment)
        # The message is on Redis; the worker that would take it dies: the message is lost.
        with app.connection_for_write() as conn:
            waiting = conn.default_channel.client.llen("celery")
        assert waiting >= 1
        assert app.control.purge() >= 1
    assert _pledges(payment) == 0

    tasks.fund_sweep.apply().get()
    assert _pledges(payment) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_the_pledge_from_the_signal(fund, monkeypatch):
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    payment = paid_booking(seats=3)
    with celery_on(os.environ["REDIS_URL"]) as app:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            with transaction.atomic():
                send_payment_succeeded(payment)  # delivered after this block commits
            deadline = time.monotonic() + 20
            while _pledges(payment) == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
    assert _pledges(payment) == 1
    assert Fund.objects.get(pk=fund.pk).pledged_cents == 3750
