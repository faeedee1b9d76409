"""Refunds reach the guest once, whichever paths notice the payment at the same time.

Stripe is faked here (``bookings.stripe_gateway`` functions replaced), and Celery's queue is
replaced by a list, so a test decides when each task runs, as a busy worker pool would.
"""

import pytest
from django.core import mail

from bookings import services, stripe_gateway, tasks
from bookings.models import Booking, Payment, Refund
from events import services as event_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_stripe(monkeypatch):
    """A PaymentIntent that succeeded at Stripe while we were not looking; refunds counted."""
    calls = {"refunds": [], "on_refund": None}

    def succeeded(*, payment_intent_id):
        payment = Payment.objects.get(stripe_payment_intent_id=payment_intent_id)
        return stripe_gateway.Intent(
            id=payment_intent_id,
            status="succeeded",
            amount=payment.amount_cents,
            client_secret="",
            last_error="",
            metadata={},
        )

    def refund_create(*, payment_intent_id, amount_cents, idempotency_key):
        calls["refunds"].append(amount_cents)
        if calls["on_refund"] is not None:
            hook, calls["on_refund"] = calls["on_refund"], None
            hook()  # another worker gets here before this refund is recorded
        return f"re_{len(calls['refunds'])}"

    monkeypatch.setattr(stripe_gateway, "payment_intent_retrieve", succeeded)
    monkeypatch.setattr(stripe_gateway, "payment_intent_cancel", lambda **kw: None)
    monkeypatch.setattr(stripe_gateway, "refund_create", refund_create)
    return calls


@pytest.fixture
def queue(monkeypatch):
    """Celery's queue for settle_cancelled_booking: tasks wait here until the test runs them."""
    waiting = []
    monkeypatch.setattr(tasks.settle_cancelled_booking, "delay", lambda *args: waiting.append(args))
    return waiting


def test_host_cancelling_during_a_payment_refunds_it_once(event, host, guest, fake_stripe, queue):
    """The guest's card was charged just as the host cancelled: one refund, one email saying so."""
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_in_flight",
        status=Payment.Status.PROCESSING,
    )
    event_services.event_cancel(event_id=event.pk, actor=host)  # eager: bookings cancelled
    assert len(queue) == 1

    def run_next():
        tasks.settle_cancelled_booking(*queue.pop(0))

    # The host-cancel task learns from Stripe that the payment succeeded, which enqueues the
    # payment's own task; if both refund, the second worker gets in before the first records.
    fake_stripe["on_refund"] = lambda: queue and run_next()
    while queue:
        run_next()

    assert fake_stripe["refunds"] == [booking.gross_cents]
    assert Refund.objects.filter(payment__booking=booking).count() == 1
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.REFUNDED
    told = [m for m in mail.outbox if m.to == [guest.email]]
    assert len(told) == 1
    assert "We refunded €50.00" in told[0].body
    assert "cancelled" in told[0].body


def test_guest_releasing_seats_during_a_payment_is_refunded_and_told_once(
    event, guest, fake_stripe, queue
):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_in_flight",
        status=Payment.Status.PROCESSING,
    )
    services.booking_cancel(booking_id=booking.pk, guest=guest)
    while queue:
        tasks.settle_cancelled_booking(*queue.pop(0))

    assert fake_stripe["refunds"] == [booking.gross_cents]
    told = [m for m in mail.outbox if m.to == [guest.email]]
    assert len(told) == 1
    assert "We refunded €50.00" in told[0].body
    assert "no refund" not in told[0].body


def test_sweep_refunds_a_late_payment_whose_refund_task_was_lost(event, guest, fake_stripe, queue):
    """Redis was down when the late payment was noticed: the beat sweep still refunds it."""
    from datetime import timedelta

    from django.utils import timezone

    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_late",
        status=Payment.Status.PROCESSING,
    )
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    services.booking_expire_stale()
    services.booking_hold(event_id=event.pk, guest=UserFactory(), seats=8)  # seats gone
    services.booking_payment_refresh(booking_id=booking.pk)  # succeeded: refund enqueued...
    assert len(queue) == 1
    queue.clear()  # ...and lost
    long_ago = timezone.now() - timedelta(minutes=30)
    Payment.objects.filter(booking=booking).update(updated_at=long_ago)
    Booking.objects.filter(pk=booking.pk).update(updated_at=long_ago)

    tasks.sweep_pending_payments()
    while queue:
        tasks.settle_cancelled_booking(*queue.pop(0))

    assert fake_stripe["refunds"] == [booking.gross_cents]
    told = [m for m in mail.outbox if m.to == [guest.email]]
    assert len(told) == 1 and "We refunded €50.00" in told[0].body

    tasks.sweep_pending_payments()  # nothing owed any more
    assert queue == []


def test_sweep_leaves_a_cancellation_without_refund_alone(event, guest, fake_stripe, queue):
    """A guest who cancelled a paid booking after the deadline is owed nothing."""
    from datetime import timedelta

    from django.utils import timezone

    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_paid",
        status=Payment.Status.PROCESSING,
    )
    services.booking_payment_refresh(booking_id=booking.pk)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    event.cancellation_deadline = timezone.now() - timedelta(minutes=1)
    event.save(update_fields=["cancellation_deadline"])
    services.booking_cancel(booking_id=booking.pk, guest=guest)
    queue.clear()
    long_ago = timezone.now() - timedelta(minutes=30)
    Payment.objects.filter(booking=booking).update(updated_at=long_ago)
    Booking.objects.filter(pk=booking.pk).update(updated_at=long_ago)

    tasks.sweep_pending_payments()
    assert queue == []


def test_a_new_attempt_never_charges_while_the_earlier_intent_stays_open(event, guest, monkeypatch):
    """Stripe would not cancel the abandoned 3-D Secure intent: the guest could still complete
    it, so no second intent is created (that could charge the card twice)."""
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_open",
        status=Payment.Status.REQUIRES_ACTION,
    )
    still_open = stripe_gateway.Intent(
        id="pi_open",
        status="requires_action",
        amount=booking.gross_cents,
        client_secret="",
        last_error="",
        metadata={},
    )
    created = []
    monkeypatch.setattr(stripe_gateway, "payment_intent_retrieve", lambda **kw: still_open)
    monkeypatch.setattr(stripe_gateway, "payment_intent_cancel", lambda **kw: None)
    monkeypatch.setattr(
        stripe_gateway, "payment_intent_create", lambda **kw: created.append(kw) or still_open
    )
    monkeypatch.setattr(stripe_gateway, "payment_intent_confirm", lambda **kw: still_open)

    attempt = services.booking_pay(
        booking_id=booking.pk, guest=guest, payment_method_id="pm_card_visa"
    )

    assert created == []
    assert attempt.status == "failed" and attempt.error
    assert Payment.objects.get(booking=booking).stripe_payment_intent_id == "pi_open"
