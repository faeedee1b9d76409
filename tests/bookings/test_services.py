"""Holding seats, the money split, expiry, cancellation rules: the service contracts."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def hold(event, guest, seats=1, **kwargs):
    return services.booking_hold(event_id=event.pk, guest=guest, seats=seats, **kwargs)


def test_hold_reserves_seats_and_freezes_the_split(event, guest):
    booking = hold(event, guest, seats=3, dietary_notes=" no nuts ")

    event.refresh_from_db()
    assert event.seats_reserved == 3
    assert booking.status == Booking.Status.HELD
    assert booking.gross_cents == 7500
    assert booking.pledge_cents == 3750
    assert booking.host_cents == 3750
    assert booking.dietary_notes == "no nuts"
    left = booking.hold_expires_at - timezone.now()
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)


def test_split_rounds_the_pledge_down_and_takes_the_platform_fee_from_the_host(
    event, guest, settings
):
    settings.PLATFORM_FEE_PERCENT = 10
    Event.objects.filter(pk=event.pk).update(contribution_cents=1999, pledge_percent=33)
    event.refresh_from_db()
    booking = hold(event, guest, seats=1)
    assert booking.pledge_cents == 1999 * 33 // 100 == 659
    assert booking.platform_fee_cents == 199
    assert booking.host_cents == 1999 - 659 - 199


@pytest.mark.parametrize("seats", [0, -1])
def test_zero_or_negative_seats_are_refused(event, guest, seats):
    with pytest.raises(ValidationError) as exc:
        hold(event, guest, seats=seats)
    assert exc.value.code == "invalid_seats"
    assert not Booking.objects.exists()


def test_more_seats_than_left_is_refused_and_nothing_is_saved(event, guest):
    Event.objects.filter(pk=event.pk).update(seats_reserved=6)
    with pytest.raises(ValidationError) as exc:
        hold(event, guest, seats=3)
    assert exc.value.code == "sold_out"
    assert "only 2 seats" in " ".join(exc.value.messages)
    event.refresh_from_db()
    assert event.seats_reserved == 6
    assert not Booking.objects.exists()


def test_more_than_eight_seats_is_refused(guest, host, ixelles):
    big = EventFactory(host=host, commune=ixelles, capacity=20)
    with pytest.raises(ValidationError) as exc:
        hold(big, guest, seats=9)
    assert exc.value.code == "too_many_seats"


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"status": Event.Status.DRAFT}, "not_bookable"),
        ({"status": Event.Status.CANCELLED}, "not_bookable"),
        (
            {
                "starts_at": timezone.now() - timedelta(days=1),
                "ends_at": timezone.now() - timedelta(hours=20),
                "booking_deadline": timezone.now() - timedelta(days=2),
            },
            "not_bookable",
        ),
        ({"booking_deadline": timezone.now() - timedelta(minutes=1)}, "booking_closed"),
    ],
    ids=["draft", "cancelled", "past", "after-deadline"],
)
def test_closed_events_cannot_be_booked(event, guest, changes, code):
    Event.objects.filter(pk=event.pk).update(**changes)
    with pytest.raises(ValidationError) as exc:
        hold(event, guest)
    assert exc.value.code == code
    assert not Booking.objects.exists()


def test_host_cannot_book_own_event(event, host):
    with pytest.raises(ValidationError) as exc:
        hold(event, host)
    assert exc.value.code == "own_event"


def test_unverified_email_cannot_book(event):
    stranger = UserFactory(verified=False)
    with pytest.raises(ValidationError) as exc:
        hold(event, stranger)
    assert exc.value.code == "unverified_email"


def test_one_active_booking_per_guest_and_event(event, guest):
    hold(event, guest)
    with pytest.raises(ValidationError) as exc:
        hold(event, guest)
    assert exc.value.code == "already_booked"


def test_expired_holds_free_their_seats_for_the_next_guest(event, guest):
    Event.objects.filter(pk=event.pk).update(capacity=2)
    first = hold(event, guest, seats=2)
    Booking.objects.filter(pk=first.pk).update(hold_expires_at=timezone.now())

    second = hold(event, UserFactory(), seats=2)

    first.refresh_from_db()
    event.refresh_from_db()
    assert first.status == Booking.Status.EXPIRED
    assert second.status == Booking.Status.HELD
    assert event.seats_reserved == 2


def test_beat_task_expires_stale_holds_everywhere(event, guest):
    from bookings.tasks import expire_stale_holds

    stale = hold(event, guest, seats=2)
    fresh = hold(event, UserFactory(), seats=1)
    Booking.objects.filter(pk=stale.pk).update(hold_expires_at=timezone.now())

    assert expire_stale_holds() == 1
    assert expire_stale_holds() == 0  # idempotent

    stale.refresh_from_db()
    fresh.refresh_from_db()
    event.refresh_from_db()
    assert stale.status == Booking.Status.EXPIRED
    assert fresh.status == Booking.Status.HELD
    assert event.seats_reserved == 1


def test_free_event_confirms_without_stripe_and_emails_once(
    host, ixelles, guest, django_capture_on_commit_callbacks
):
    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    with django_capture_on_commit_callbacks(execute=True):
        booking = hold(free, guest, seats=2)
    assert booking.status == Booking.Status.CONFIRMED
    assert not hasattr(booking, "payment") or booking.payment is None
    guest_mail = [m for m in mail.outbox if m.to == [guest.email]]
    host_mail = [m for m in mail.outbox if m.to == [host.email]]
    assert len(guest_mail) == 1 and len(host_mail) == 1
    assert "Rue du Bailli 12" in guest_mail[0].body
    name, content, mimetype = guest_mail[0].attachments[0]
    content = content.decode() if isinstance(content, bytes) else content
    assert name == "meetsies.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content and "Rue du Bailli 12" in content
    assert "Ixelles\\, Ixelles" not in content and "Ixelles)" not in guest_mail[0].body

    # A second run of the confirmation task sends nothing.
    from bookings.tasks import send_booking_confirmation

    assert send_booking_confirmation(booking.pk) is False
    assert len(mail.outbox) == 2


def test_cancelling_a_free_booking_frees_the_seats(
    host, ixelles, guest, django_capture_on_commit_callbacks
):
    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    booking = hold(free, guest, seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking_id=booking.pk, guest=guest)
    booking.refresh_from_db()
    free.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert free.seats_reserved == 0
    assert any("cancelled" in m.subject.lower() for m in mail.outbox)


def test_another_guest_cannot_cancel(event, guest):
    booking = hold(event, guest)
    with pytest.raises(ValidationError) as exc:
        services.booking_cancel(booking_id=booking.pk, guest=UserFactory())
    assert exc.value.code == "not_found"


def test_paying_an_expired_hold_is_refused_before_stripe(event, guest):
    booking = hold(event, guest)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.booking_pay(booking_id=booking.pk, guest=guest, payment_method_id="pm_123")
    assert exc.value.code == "hold_expired"
    assert not hasattr(Booking.objects.get(pk=booking.pk), "payment")


def test_reminder_is_sent_once_for_events_within_a_day(
    host, ixelles, guest, django_capture_on_commit_callbacks
):
    from bookings.tasks import send_due_reminders

    soon = EventFactory(
        host=host,
        commune=ixelles,
        contribution_cents=0,
        pledge_percent=0,
        starts_at=timezone.now() + timedelta(hours=20),
        booking_deadline=timezone.now() + timedelta(hours=10),
        cancellation_deadline=timezone.now() + timedelta(hours=5),
    )
    later = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    hold(soon, guest)
    hold(later, guest)
    mail.outbox.clear()

    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    reminders = [m for m in mail.outbox if m.subject.startswith("[Meetsies] Tomorrow")]
    assert len(reminders) == 1
    assert soon.title in reminders[0].subject


def test_late_payment_takes_back_seats_whose_other_hold_ran_out(
    event, guest, django_capture_on_commit_callbacks
):
    """Seats held by someone else whose hold also ran out are free: the late payer gets them."""
    from bookings import stripe_gateway
    from bookings.models import Payment

    Event.objects.filter(pk=event.pk).update(capacity=4)
    late = hold(event, guest, seats=2)
    Payment.objects.create(
        booking=late, amount_cents=late.gross_cents, stripe_payment_intent_id="pi_late"
    )
    Booking.objects.filter(pk=late.pk).update(hold_expires_at=timezone.now())
    services.booking_expire_stale()
    other = hold(event, UserFactory(), seats=4)  # all four seats, then walks away
    Booking.objects.filter(pk=other.pk).update(hold_expires_at=timezone.now())

    intent = stripe_gateway.Intent(
        id="pi_late", status="succeeded", amount=5000, client_secret="", last_error="", metadata={}
    )
    with django_capture_on_commit_callbacks(execute=False):  # no refund task: Stripe is not here
        services.payment_intent_sync(intent=intent)

    late.refresh_from_db()
    other.refresh_from_db()
    event.refresh_from_db()
    assert late.status == Booking.Status.CONFIRMED
    assert other.status == Booking.Status.EXPIRED
    assert event.seats_reserved == 2


def test_confirmation_email_is_in_one_language_whatever_page_the_guest_used(
    host, ixelles, guest, django_capture_on_commit_callbacks
):
    """The guest booked on a French page: subject, body and calendar file agree on a language."""
    from django.utils import translation

    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        hold(free, guest, seats=1)
    [message] = [m for m in mail.outbox if m.to == [guest.email]]
    _name, ics, _type = message.attachments[0]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "is confirmed" in message.body
    assert "You're booked" in message.subject
    assert "Host: " in ics


def test_sweep_sends_a_confirmation_email_whose_task_was_lost(
    host, ixelles, guest, django_capture_on_commit_callbacks
):
    from bookings.tasks import sweep_pending_payments

    free = EventFactory(host=host, commune=ixelles, contribution_cents=0, pledge_percent=0)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down
        booking = hold(free, guest, seats=1)
    sweep_pending_payments()
    assert mail.outbox == []  # the usual task gets its chance first
    Booking.objects.filter(pk=booking.pk).update(
        confirmed_at=timezone.now() - timedelta(minutes=30)
    )
    sweep_pending_payments()
    sweep_pending_payments()
    assert [m.to for m in mail.outbox].count([guest.email]) == 1


def test_sweep_cancels_the_bookings_of_an_event_whose_cancel_task_was_lost(
    event, host, guest, django_capture_on_commit_callbacks
):
    from bookings.tasks import sweep_pending_payments
    from events import services as event_services

    booking = hold(event, guest, seats=2)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down
        event_services.event_cancel(event_id=event.pk, actor=host)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.HELD

    with django_capture_on_commit_callbacks(execute=True):
        sweep_pending_payments()

    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert Event.objects.get(pk=event.pk).seats_reserved == 0
    assert [m.to for m in mail.outbox] == [[guest.email]]
