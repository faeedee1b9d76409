"""GDPR, bookings' part: a guest's bookings in their data export, what stops them erasing their
account, and what erasure forgets (dietary notes) and keeps (the money records)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bookings import services
from bookings.models import Booking, Payment, Refund
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
EXPORT_URL = "/en/profile/my-data.json"
ERASE_URL = "/en/profile/erase/"


def confirmed(event, guest, *, dietary_notes="", paid=True) -> Booking:
    """A confirmed booking of two seats at €25, paid (and half refunded) unless ``paid=False``."""
    booking = Booking.objects.create(
        event=event,
        guest=guest,
        seats=2,
        dietary_notes=dietary_notes,
        unit_price_cents=2500,
        gross_cents=5000,
        pledge_percent=50,
        pledge_cents=2500,
        platform_fee_cents=250,
        host_cents=2250,
        status=Booking.Status.CONFIRMED,
        hold_expires_at=timezone.now() - timedelta(days=10),
        confirmed_at=timezone.now() - timedelta(days=10),
    )
    if paid:
        payment = Payment.objects.create(
            booking=booking,
            stripe_payment_intent_id=f"pi_{booking.reference}",
            amount_cents=5000,
            status=Payment.Status.SUCCEEDED,
            refunded_cents=2500,
            succeeded_at=timezone.now() - timedelta(days=10),
        )
        Refund.objects.create(
            payment=payment,
            stripe_refund_id=f"re_{booking.reference}",
            amount_cents=2500,
            reason=Refund.Reason.STAFF,
        )
    return booking


def past_event(ixelles, **fields):
    start = timezone.now() - timedelta(days=3)
    return EventFactory(
        commune=ixelles,
        starts_at=start,
        booking_deadline=start - timedelta(hours=2),
        cancellation_deadline=start - timedelta(hours=48),
        **fields,
    )


def erase(client, user):
    return client.post(ERASE_URL, {"password": PASSWORD, "confirmation": user.email})


# ---------------------------------------------------------------- export


def test_export_lists_my_bookings_with_their_payment(client, guest, ixelles):
    event = past_event(ixelles, title="Mezze night")
    mine = confirmed(event, guest, dietary_notes="No nuts, please")
    confirmed(event, UserFactory(), dietary_notes="Someone else's allergy")

    client.force_login(guest)
    data = json.loads(client.get(EXPORT_URL).content)

    [exported] = data["bookings"]
    assert exported["reference"] == mine.reference
    assert exported["event"]["id"] == event.pk
    assert exported["event"]["title"] == "Mezze night"
    assert (exported["event"]["city"], exported["event"]["commune"]) == ("Brussels", "Ixelles")
    assert exported["seats"] == 2
    assert exported["dietary_notes"] == "No nuts, please"
    assert exported["status"] == "confirmed"
    assert exported["gross_cents"] == 5000 and exported["pledge_cents"] == 2500
    assert exported["confirmed_at"] is not None
    assert exported["payment"]["status"] == "succeeded"
    assert exported["payment"]["amount_cents"] == 5000
    assert exported["payment"]["refunded_cents"] == 2500
    assert "Someone else" not in json.dumps(data)


def test_export_of_an_unpaid_booking_has_no_payment(client, guest, ixelles):
    free = EventFactory(commune=ixelles, contribution_cents=0, pledge_percent=0)
    services.booking_hold(event_id=free.pk, guest=guest, seats=1)
    client.force_login(guest)
    [exported] = json.loads(client.get(EXPORT_URL).content)["bookings"]
    assert exported["payment"] is None and exported["gross_cents"] == 0


# ---------------------------------------------------------------- blockers


def test_a_hold_waiting_for_payment_blocks_erasure(client, guest, event):
    services.booking_hold(event_id=event.pk, guest=guest, seats=1)
    client.force_login(guest)

    page = client.get(ERASE_URL).content.decode()
    assert "You have 1 booking waiting for payment." in page

    response = erase(client, guest)
    assert response.status_code == 409
    guest.refresh_from_db()
    assert guest.is_active and not guest.is_erased


def test_a_confirmed_booking_for_an_event_not_over_blocks_erasure(client, guest, ixelles):
    under_way = EventFactory(
        commune=ixelles,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
        booking_deadline=timezone.now() - timedelta(hours=3),
        cancellation_deadline=timezone.now() - timedelta(days=2),
    )
    confirmed(under_way, guest)
    confirmed(EventFactory(commune=ixelles), guest)
    client.force_login(guest)

    page = client.get(ERASE_URL).content.decode()
    assert "You have 2 bookings for events that are not over yet." in page
    assert erase(client, guest).status_code == 409
    assert not User.objects.get(pk=guest.pk).is_erased


def test_past_cancelled_and_expired_bookings_do_not_block(guest, event, ixelles):
    from accounts.services import user_erasure_blockers

    confirmed(past_event(ixelles), guest)
    cancelled = confirmed(event, guest, paid=False)
    Booking.objects.filter(pk=cancelled.pk).update(status=Booking.Status.CANCELLED)
    expired = services.booking_hold(event_id=event.pk, guest=guest, seats=1)
    Booking.objects.filter(pk=expired.pk).update(status=Booking.Status.EXPIRED)

    assert user_erasure_blockers(user=guest) == []


# ---------------------------------------------------------------- scrubbing


def test_erasure_clears_dietary_notes_and_keeps_the_money_records(client, guest, ixelles):
    event = past_event(ixelles)
    booking = confirmed(event, guest, dietary_notes="Coeliac")
    other = confirmed(event, UserFactory(), dietary_notes="Vegan")
    client.force_login(guest)

    response = erase(client, guest)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.dietary_notes == ""
    assert booking.guest_id == guest.pk
    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.gross_cents, booking.pledge_cents, booking.host_cents) == (5000, 2500, 2250)
    payment = Payment.objects.get(booking=booking)
    assert (payment.amount_cents, payment.refunded_cents) == (5000, 2500)
    assert Refund.objects.filter(payment=payment, amount_cents=2500).exists()
    other.refresh_from_db()
    assert other.dietary_notes == "Vegan"


def test_the_host_guest_list_no_longer_shows_the_erased_guests_notes(client, guest, host, ixelles):
    event = past_event(ixelles, host=host)
    confirmed(event, guest, dietary_notes="Coeliac")
    client.force_login(host)
    url = reverse("bookings:guests", kwargs={"pk": event.pk})
    assert "Coeliac" in client.get(url).content.decode()

    assert services.bookings_scrub_for_erased_guest(guest_id=guest.pk) == 1
    assert services.bookings_scrub_for_erased_guest(guest_id=guest.pk) == 0  # nothing left

    assert "Coeliac" not in client.get(url).content.decode()
