"""Issue 8.5: with the broker unreachable every page answers normally, and once it is back the
beat sweep does each follow-up exactly once.

Each test runs one user-facing path through the real view with Celery pointed at a dead Redis
(``broker_down``), checks the page and that the follow-up did not happen yet, then, with the
broker back (eager again, as in the embedded default), lets the usual task's grace period pass
and runs the sweep twice: the follow-up happens, once.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Payment, Refund
from bookings.tasks import LOST_TASK_AFTER, sweep_pending_payments
from events.models import Event, EventChange
from tests.broker import broker_down
from tests.events.helpers import event_payload
from tests.factories import EventFactory, UserFactory

from .conftest import (
    CARD_3DS,
    CARD_OK,
    authenticate_3ds,
    intent_event,
    make_payment_method,
    signed_webhook,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def grace_period_passes():
    """Pretend the usual task had its ``LOST_TASK_AFTER`` to do the work, and did not."""
    long_ago = timezone.now() - LOST_TASK_AFTER - timedelta(minutes=1)
    Booking.objects.update(updated_at=long_ago)
    Booking.objects.exclude(confirmed_at=None).update(confirmed_at=long_ago)
    Payment.objects.update(updated_at=long_ago)
    EventChange.objects.update(created_at=long_ago)


def sweep_twice():
    sweep_pending_payments.apply().get()
    sweep_pending_payments.apply().get()


def test_paying_with_the_broker_down_confirms_and_the_email_follows_once(
    client, localstripe, event, guest, caplog
):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    client.force_login(guest)
    with broker_down():
        response = client.post(
            reverse("bookings:pay", kwargs={"reference": booking.reference}),
            {"payment_method": make_payment_method(localstripe, CARD_OK)},
        )
        assert response.status_code == 200
        assert response.json()["status"] == "succeeded"
        page = client.get(booking.get_absolute_url())
        assert page.status_code == 200
    assert "Could not enqueue bookings.tasks.send_booking_confirmation" in caplog.text
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert mails_to(guest.email) == []

    grace_period_passes()
    sweep_twice()

    assert len(mails_to(guest.email)) == 1
    assert "You're booked" in mails_to(guest.email)[0].subject


def test_a_free_booking_with_the_broker_down_confirms_and_the_email_follows_once(
    client, host, ixelles, guest
):
    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    client.force_login(guest)
    with broker_down():
        response = client.post(reverse("bookings:hold", kwargs={"event_pk": free.pk}), {"seats": 1})
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
    booking = Booking.objects.get(event=free, guest=guest)
    assert booking.status == Booking.Status.CONFIRMED
    assert mails_to(guest.email) == []

    grace_period_passes()
    sweep_twice()

    assert len(mails_to(guest.email)) == 1


def test_a_guest_cancelling_with_the_broker_down_is_refunded_once_when_it_is_back(
    client, localstripe, event, guest
):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    services.booking_pay(
        booking_id=booking.pk,
        guest=guest,
        payment_method_id=make_payment_method(localstripe, CARD_OK),
    )
    mail.outbox.clear()
    client.force_login(guest)
    with broker_down():
        response = client.post(reverse("bookings:cancel", kwargs={"reference": booking.reference}))
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not Refund.objects.exists()

    grace_period_passes()
    sweep_twice()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
    assert list(Refund.objects.values_list("amount_cents", flat=True)) == [5000]
    assert len(mails_to(guest.email)) == 1


def test_a_host_cancelling_with_the_broker_down_refunds_every_guest_once_when_it_is_back(
    client, localstripe, event, host, guest
):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=1)
    services.booking_pay(
        booking_id=booking.pk,
        guest=guest,
        payment_method_id=make_payment_method(localstripe, CARD_OK),
    )
    mail.outbox.clear()
    client.force_login(host)
    with broker_down():
        response = client.post(reverse("events:cancel", kwargs={"pk": event.pk}))
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
    assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED  # task lost

    sweep_twice()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
    assert Refund.objects.count() == 1
    assert len(mails_to(guest.email)) == 1
    assert Event.objects.get(pk=event.pk).seats_reserved == 0


def test_a_late_payment_webhook_with_the_broker_down_answers_200_and_is_refunded_once(
    client, localstripe, event, guest
):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    services.booking_pay(
        booking_id=booking.pk,
        guest=guest,
        payment_method_id=make_payment_method(localstripe, CARD_3DS),
    )
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    services.booking_expire_stale()
    services.booking_hold(event_id=event.pk, guest=UserFactory(), seats=8)  # seats gone
    intent_id = Payment.objects.get(booking=booking).stripe_payment_intent_id
    authenticate_3ds(localstripe, intent_id, success=True)
    mail.outbox.clear()

    with broker_down():
        payload = intent_event(intent_id, amount=5000, event_id="evt_late_down")
        assert signed_webhook(client, payload).status_code == 200
    payment = Payment.objects.get(booking=booking)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.refunded_cents == 0

    grace_period_passes()
    sweep_twice()

    payment.refresh_from_db()
    assert payment.refunded_cents == 5000
    assert Refund.objects.filter(payment=payment).count() == 1
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.REFUNDED
    assert len(mails_to(guest.email)) == 1


def test_moving_an_event_with_the_broker_down_tells_the_guests_once_when_it_is_back(
    client, host, ixelles, guest
):
    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    services.booking_hold(event_id=free.pk, guest=guest, seats=1)
    mail.outbox.clear()
    client.force_login(host)
    start = timezone.localtime(free.starts_at, ixelles.city.tz) + timedelta(hours=1)
    data = event_payload(
        city=ixelles.city,
        commune=ixelles,
        title=free.title,
        contribution="0",
        pledge_percent="0",
        capacity=str(free.capacity),
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        booking_deadline=(start - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
    )
    with broker_down():
        response = client.post(reverse("events:edit", kwargs={"pk": free.pk}), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert client.get(response.url).status_code == 200
    [change] = EventChange.objects.filter(event=free)
    assert change.guests_notified_at is None
    assert mails_to(guest.email) == []

    grace_period_passes()
    sweep_twice()

    assert len(mails_to(guest.email)) == 1
    change.refresh_from_db()
    assert change.guests_notified_at is not None
