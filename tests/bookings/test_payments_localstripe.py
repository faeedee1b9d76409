"""Paying, confirming, cancelling and refunding against a real localstripe server."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings import services, stripe_gateway
from bookings.models import Booking, Payment, Refund, StripeEvent
from events.models import Event
from events.signals import event_cancelled
from tests.factories import UserFactory

from .conftest import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    authenticate_3ds,
    make_payment_method,
    stripe_get,
    wait_for,
)

pytestmark = [pytest.mark.localstripe, pytest.mark.django_db(transaction=True)]


def hold(event, guest, seats=2):
    return services.booking_hold(event_id=event.pk, guest=guest, seats=seats)


def pay(localstripe, booking, card):
    return services.booking_pay(
        booking_id=booking.pk,
        guest=booking.guest,
        payment_method_id=make_payment_method(localstripe, card),
    )


def status_of(booking):
    return Booking.objects.values_list("status", flat=True).get(pk=booking.pk)


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_card_4242_pays_and_confirms_once_even_when_the_webhook_follows(
    localstripe, webhooks_to_live_server, event, guest
):
    booking = hold(event, guest)

    attempt = pay(localstripe, booking, CARD_OK)

    assert attempt.status == "succeeded"
    assert status_of(booking) == Booking.Status.CONFIRMED
    payment = Payment.objects.get(booking=booking)
    assert payment.status == Payment.Status.SUCCEEDED
    intent = stripe_get(localstripe, f"/v1/payment_intents/{payment.stripe_payment_intent_id}")
    assert intent["status"] == "succeeded" and intent["amount"] == 5000
    assert intent["metadata"] == {"booking": booking.reference}
    # localstripe's signed webhook arrives a second later and changes nothing.
    wait_for(lambda: StripeEvent.objects.filter(type="payment_intent.succeeded").exists())
    assert len(mails_to(guest.email)) == 1
    assert len(mails_to(event.host.email)) == 1
    assert "Rue du Bailli 12" in mails_to(guest.email)[0].body


def test_webhook_alone_confirms_a_booking(localstripe, webhooks_to_live_server, event, guest):
    """The server never saw Stripe's answer (e.g. it crashed): the webhook confirms."""
    booking = hold(event, guest)
    payment = Payment.objects.create(booking=booking, amount_cents=booking.gross_cents)
    intent = stripe_gateway.payment_intent_create(
        amount_cents=booking.gross_cents,
        payment_method_id=make_payment_method(localstripe, CARD_OK),
        booking_reference=booking.reference,
        idempotency_key=f"booking-{booking.reference}-test",
    )
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=intent.id)
    stripe_gateway.payment_intent_confirm(payment_intent_id=intent.id)
    assert status_of(booking) == Booking.Status.HELD  # nothing trusted the direct answer

    wait_for(lambda: status_of(booking) == Booking.Status.CONFIRMED)
    assert StripeEvent.objects.filter(payment_intent_id=intent.id).count() == 1
    wait_for(lambda: len(mails_to(guest.email)) == 1)


def test_declined_card_shows_the_bank_message_keeps_the_hold_and_a_retry_works(
    localstripe, event, guest
):
    booking = hold(event, guest)

    attempt = pay(localstripe, booking, CARD_DECLINED)

    assert attempt.status == "failed"
    assert "declined" in attempt.error.lower()
    assert status_of(booking) == Booking.Status.HELD
    payment = Payment.objects.get(booking=booking)
    assert payment.status == Payment.Status.REQUIRES_PAYMENT_METHOD
    first_intent = payment.stripe_payment_intent_id

    retry = pay(localstripe, booking, CARD_OK)

    assert retry.status == "succeeded"
    payment.refresh_from_db()
    assert payment.stripe_payment_intent_id != first_intent
    assert status_of(booking) == Booking.Status.CONFIRMED
    assert len(mails_to(guest.email)) == 1


def test_3d_secure_completed_confirms(localstripe, event, guest):
    booking = hold(event, guest)

    attempt = pay(localstripe, booking, CARD_3DS)

    assert attempt.status == "requires_action"
    assert attempt.client_secret.startswith("pi_")
    payment = Payment.objects.get(booking=booking)
    assert payment.status == Payment.Status.REQUIRES_ACTION
    assert status_of(booking) == Booking.Status.HELD

    authenticate_3ds(localstripe, payment.stripe_payment_intent_id, success=True)
    services.booking_payment_refresh(booking_id=booking.pk)  # the guest comes back

    assert status_of(booking) == Booking.Status.CONFIRMED


def test_3d_secure_failed_keeps_the_hold_and_the_guest_can_pay_again(localstripe, event, guest):
    booking = hold(event, guest)
    pay(localstripe, booking, CARD_3DS)
    payment = Payment.objects.get(booking=booking)

    authenticate_3ds(localstripe, payment.stripe_payment_intent_id, success=False)
    services.booking_payment_refresh(booking_id=booking.pk)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_PAYMENT_METHOD
    assert "authentication" in payment.last_error.lower()
    assert status_of(booking) == Booking.Status.HELD

    assert pay(localstripe, booking, CARD_OK).status == "succeeded"
    assert status_of(booking) == Booking.Status.CONFIRMED


def test_abandoned_3d_secure_is_cancelled_when_the_guest_uses_another_card(
    localstripe, event, guest
):
    booking = hold(event, guest)
    pay(localstripe, booking, CARD_3DS)
    abandoned = Payment.objects.get(booking=booking).stripe_payment_intent_id

    assert pay(localstripe, booking, CARD_OK).status == "succeeded"

    assert stripe_get(localstripe, f"/v1/payment_intents/{abandoned}")["status"] == "canceled"
    assert status_of(booking) == Booking.Status.CONFIRMED


def paid_booking(localstripe, event, guest, seats=2):
    booking = hold(event, guest, seats=seats)
    assert pay(localstripe, booking, CARD_OK).status == "succeeded"
    return Booking.objects.get(pk=booking.pk)


def test_guest_cancels_before_the_deadline_and_is_refunded_in_full(localstripe, event, guest):
    booking = paid_booking(localstripe, event, guest)
    mail.outbox.clear()

    services.booking_cancel(booking_id=booking.pk, guest=guest)

    booking.refresh_from_db()
    event.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
    assert event.seats_reserved == 0
    payment = booking.payment
    assert payment.refunded_cents == 5000
    refund = Refund.objects.get(payment=payment)
    assert refund.reason == Refund.Reason.GUEST_CANCELLED
    listed = stripe_get(
        localstripe, f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}"
    )
    assert [r["amount"] for r in listed["data"]] == [5000]
    assert [r["id"] for r in listed["data"]] == [refund.stripe_refund_id]
    assert len(mails_to(guest.email)) == 1
    assert "refunded" in mails_to(guest.email)[0].body


def test_guest_cancels_after_the_deadline_gets_no_refund(localstripe, event, guest):
    booking = paid_booking(localstripe, event, guest)
    Event.objects.filter(pk=event.pk).update(
        cancellation_deadline=timezone.now() - timedelta(minutes=1)
    )

    services.booking_cancel(booking_id=booking.pk, guest=guest)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.payment.refunded_cents == 0
    intent_id = booking.payment.stripe_payment_intent_id
    assert stripe_get(localstripe, f"/v1/refunds?payment_intent={intent_id}")["data"] == []
    event.refresh_from_db()
    assert event.seats_reserved == 0
    assert "no refund" in mails_to(guest.email)[-1].body


def test_refund_never_exceeds_what_was_paid(localstripe, event, guest):
    booking = paid_booking(localstripe, event, guest)
    payment = booking.payment

    first = services.payment_refund(payment_id=payment.pk, reason="staff", amount_cents=3000)
    second = services.payment_refund(payment_id=payment.pk, reason="staff", amount_cents=3000)
    third = services.payment_refund(payment_id=payment.pk, reason="staff")

    assert first.amount_cents == 3000
    assert second.amount_cents == 2000  # capped to what is left
    assert third is None
    payment.refresh_from_db()
    assert payment.refunded_cents == 5000
    listed = stripe_get(
        localstripe, f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}"
    )
    assert sorted(r["amount"] for r in listed["data"]) == [2000, 3000]


def test_host_cancelling_the_event_refunds_and_tells_every_guest(localstripe, event, guest):
    other = UserFactory()
    first = paid_booking(localstripe, event, guest, seats=2)
    second = paid_booking(localstripe, event, other, seats=1)
    mail.outbox.clear()

    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event_cancelled.send(sender=Event, event_id=event.pk)
    event_cancelled.send(sender=Event, event_id=event.pk)  # a repeat changes nothing

    for booking, amount in ((first, 5000), (second, 2500)):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.REFUNDED
        intent_id = booking.payment.stripe_payment_intent_id
        listed = stripe_get(localstripe, f"/v1/refunds?payment_intent={intent_id}")
        assert [r["amount"] for r in listed["data"]] == [amount]
        assert Refund.objects.get(payment=booking.payment).reason == "event_cancelled"
    assert len(mails_to(guest.email)) == 1
    assert len(mails_to(other.email)) == 1
    assert "cancelled" in mails_to(guest.email)[0].body
    event.refresh_from_db()
    assert event.seats_reserved == 0


def expire_while_authenticating(localstripe, event, guest):
    """A 3-D Secure payment still open when the hold runs out and the sweep frees the seats."""
    booking = hold(event, guest, seats=2)
    assert pay(localstripe, booking, CARD_3DS).status == "requires_action"
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    assert services.booking_expire_stale() == 1
    assert status_of(booking) == Booking.Status.EXPIRED
    return booking


def test_late_payment_is_confirmed_while_seats_are_still_free(localstripe, event, guest):
    booking = expire_while_authenticating(localstripe, event, guest)
    payment = Payment.objects.get(booking=booking)

    authenticate_3ds(localstripe, payment.stripe_payment_intent_id, success=True)
    services.booking_payment_refresh(booking_id=booking.pk)

    assert status_of(booking) == Booking.Status.CONFIRMED
    event.refresh_from_db()
    assert event.seats_reserved == 2


def test_late_payment_is_refunded_when_the_seats_are_gone(localstripe, event, guest, client):
    booking = expire_while_authenticating(localstripe, event, guest)
    payment = Payment.objects.get(booking=booking)
    services.booking_hold(event_id=event.pk, guest=UserFactory(), seats=8)  # all seats gone
    mail.outbox.clear()

    authenticate_3ds(localstripe, payment.stripe_payment_intent_id, success=True)
    services.booking_payment_refresh(booking_id=booking.pk)

    # Issue 8.7: the guest's page says refunded, not expired.
    assert status_of(booking) == Booking.Status.REFUNDED
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.refunded_cents == 5000
    assert Refund.objects.get(payment=payment).reason == Refund.Reason.LATE_PAYMENT
    listed = stripe_get(
        localstripe, f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}"
    )
    assert [r["amount"] for r in listed["data"]] == [5000]
    event.refresh_from_db()
    assert event.seats_reserved == 8  # never oversold
    [notice] = mails_to(guest.email)
    assert "expired" in notice.body and "refunded" in notice.body
    client.force_login(guest)
    page = client.get(f"/en/bookings/{booking.reference}/").content.decode()
    assert 'id="booking-status">Cancelled and refunded<' in page
    assert "expired before the payment arrived" in page
    assert "€50.00 was refunded to your card" in page


def test_beat_sweep_confirms_a_payment_whose_webhook_was_lost(localstripe, event, guest):
    from bookings.tasks import sweep_pending_payments

    booking = hold(event, guest)
    pay(localstripe, booking, CARD_3DS)
    payment = Payment.objects.get(booking=booking)
    authenticate_3ds(localstripe, payment.stripe_payment_intent_id, success=True)
    Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    assert sweep_pending_payments() == 1

    assert status_of(booking) == Booking.Status.CONFIRMED


def test_paying_again_after_a_lost_answer_never_charges_twice(localstripe, event, guest):
    """Stripe charged the card but our server never mirrored it; the guest clicks Pay again."""
    booking = hold(event, guest)
    intent = stripe_gateway.payment_intent_create(
        amount_cents=booking.gross_cents,
        payment_method_id=make_payment_method(localstripe, CARD_OK),
        booking_reference=booking.reference,
        idempotency_key="lost",
    )
    stripe_gateway.payment_intent_confirm(payment_intent_id=intent.id)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id=intent.id,
        status=Payment.Status.REQUIRES_PAYMENT_METHOD,
    )

    attempt = pay(localstripe, booking, CARD_OK)

    assert attempt.status == "succeeded"
    assert status_of(booking) == Booking.Status.CONFIRMED
    intents = stripe_get(localstripe, "/v1/payment_intents")["data"]
    assert [i["id"] for i in intents] == [intent.id]  # no second PaymentIntent


def test_releasing_seats_during_3d_secure_cancels_the_open_payment(localstripe, event, guest):
    booking = hold(event, guest)
    assert pay(localstripe, booking, CARD_3DS).status == "requires_action"
    intent_id = Payment.objects.get(booking=booking).stripe_payment_intent_id

    services.booking_cancel(booking_id=booking.pk, guest=guest)

    assert stripe_get(localstripe, f"/v1/payment_intents/{intent_id}")["status"] == "canceled"
    assert Payment.objects.get(booking=booking).status == Payment.Status.CANCELED
    assert status_of(booking) == Booking.Status.CANCELLED
    event.refresh_from_db()
    assert event.seats_reserved == 0
