"""The Stripe webhook: signatures, bad input, unknown events, duplicates (also concurrent)."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from bookings import services
from bookings.models import Booking, Payment, StripeEvent

from .conftest import intent_event, signed_webhook


@pytest.fixture
def held_with_intent(event, guest):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=1)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_test_1",
        status=Payment.Status.PROCESSING,
    )
    return booking


def succeeded(booking, event_id="evt_ok"):
    return intent_event("pi_test_1", event_id=event_id, reference=booking.reference)


def unchanged(booking):
    booking.refresh_from_db()
    return (
        booking.status == Booking.Status.HELD
        and booking.payment.status == Payment.Status.PROCESSING
        and not StripeEvent.objects.exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {"header": ""},
        {"secret": "whsec_someone_else"},
        {"header": "t=123,v1=deadbeef"},
        {"timestamp": int(time.time()) - 400},
    ],
    ids=["missing", "wrong-secret", "garbage", "old-timestamp"],
)
def test_unsigned_or_stale_deliveries_get_400_and_change_nothing(client, held_with_intent, kwargs):
    response = signed_webhook(client, succeeded(held_with_intent), **kwargs)
    assert response.status_code == 400
    assert unchanged(held_with_intent)


@pytest.mark.django_db
def test_signed_but_unparseable_json_gets_400(client, held_with_intent):
    response = signed_webhook(client, '{"id": "evt_1", "type": ')
    assert response.status_code == 400
    assert unchanged(held_with_intent)


@pytest.mark.django_db
def test_unhandled_event_type_gets_200_and_is_ignored(client, held_with_intent):
    payload = intent_event("pi_test_1", type="customer.created", event_id="evt_cus")
    response = signed_webhook(client, payload)
    assert response.status_code == 200
    held_with_intent.refresh_from_db()
    assert held_with_intent.status == Booking.Status.HELD
    assert held_with_intent.payment.status == Payment.Status.PROCESSING


@pytest.mark.django_db
def test_get_is_not_allowed(client):
    assert client.get("/stripe/webhook/").status_code == 405


@pytest.mark.django_db
def test_payment_failed_mirrors_status_and_error(client, held_with_intent):
    payload = intent_event(
        "pi_test_1",
        type="payment_intent.payment_failed",
        status="requires_payment_method",
        event_id="evt_fail",
        error={"code": "card_declined", "message": "Your card was declined."},
    )
    assert signed_webhook(client, payload).status_code == 200
    payment = Payment.objects.get(booking=held_with_intent)
    assert payment.status == Payment.Status.REQUIRES_PAYMENT_METHOD
    assert payment.last_error == "Your card was declined."
    assert Booking.objects.get(pk=held_with_intent.pk).status == Booking.Status.HELD


@pytest.mark.django_db
def test_succeeded_then_late_failure_event_never_goes_back(
    client, held_with_intent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_webhook(client, succeeded(held_with_intent)).status_code == 200
    failed = intent_event(
        "pi_test_1",
        type="payment_intent.payment_failed",
        status="requires_payment_method",
        event_id="evt_late_fail",
    )
    assert signed_webhook(client, failed).status_code == 200
    payment = Payment.objects.get(booking=held_with_intent)
    assert payment.status == Payment.Status.SUCCEEDED
    assert Booking.objects.get(pk=held_with_intent.pk).status == Booking.Status.CONFIRMED


@pytest.mark.django_db
def test_cancelled_intent_stays_cancelled_when_an_older_failure_event_arrives_late(
    client, held_with_intent
):
    """Stripe's order is not guaranteed: a cancelled intent is final and never goes back."""
    Payment.objects.filter(booking=held_with_intent).update(status=Payment.Status.CANCELED)
    failed = intent_event(
        "pi_test_1",
        type="payment_intent.payment_failed",
        status="requires_payment_method",
        event_id="evt_old_fail",
        error={"code": "card_declined", "message": "Your card was declined."},
    )
    assert signed_webhook(client, failed).status_code == 200
    assert Payment.objects.get(booking=held_with_intent).status == Payment.Status.CANCELED


@pytest.mark.django_db
def test_same_event_ten_times_confirms_once_and_emails_once(
    client, held_with_intent, guest, django_capture_on_commit_callbacks
):
    sent = []
    from bookings.signals import payment_succeeded

    def receiver(sender, payment_id, **kwargs):
        sent.append(payment_id)

    payment_succeeded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            codes = [
                signed_webhook(client, succeeded(held_with_intent)).status_code for _ in range(10)
            ]
    finally:
        payment_succeeded.disconnect(receiver)

    assert codes == [200] * 10
    assert StripeEvent.objects.count() == 1
    booking = Booking.objects.get(pk=held_with_intent.pk)
    assert booking.status == Booking.Status.CONFIRMED
    assert len([m for m in mail.outbox if m.to == [guest.email]]) == 1
    assert sent == [booking.payment.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_event_delivered_concurrently_confirms_once(held_with_intent, guest):
    payload = succeeded(held_with_intent, event_id="evt_concurrent")
    barrier = threading.Barrier(7)
    codes = []

    def deliver():
        try:
            barrier.wait()
            codes.append(signed_webhook(Client(), payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(3):  # ...and three more, one after the other
        codes.append(signed_webhook(Client(), payload).status_code)

    assert codes == [200] * 10
    assert StripeEvent.objects.filter(event_id="evt_concurrent").count() == 1
    booking = Booking.objects.get(pk=held_with_intent.pk)
    assert booking.status == Booking.Status.CONFIRMED
    assert len([m for m in mail.outbox if m.to == [guest.email]]) == 1
