"""Status changes go through one transition function per model, with a history row each."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import HistoryIsAppendOnly, StatusChange
from audit.services import Actor, TransitionNotAllowed, history_for
from bookings import services
from bookings.models import Booking
from bookings.transitions import BOOKING_TRANSITIONS, booking_transition, bookings_transition
from donations import services_payouts
from tests.donations.money import booked, details_for, ended_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def statuses(obj):
    return [(row.from_status, row.to_status, row.actor_kind) for row in history_for(obj)]


def test_hold_then_cancel_is_written_down_with_who_and_why(event, user):
    booking = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    services.booking_cancel(booking_id=booking.pk, guest=user)

    assert statuses(booking) == [("", "held", "user"), ("held", "cancelled", "user")]
    assert history_for(booking).last().reason == "the guest cancelled"
    assert history_for(booking).last().actor == user


def test_expired_holds_are_written_down_by_the_system(event, user):
    from datetime import timedelta

    from django.utils import timezone

    booking = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    services.booking_expire_stale(now=timezone.now() + timedelta(hours=1))

    assert statuses(booking)[-1] == ("held", "expired", "system")


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("refunded", "confirmed"),
        ("cancelled", "confirmed"),
        ("confirmed", "held"),
        ("held", "refunded"),
    ],
)
def test_a_disallowed_transition_raises_and_changes_nothing(event, user, current, target):
    booking = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    Booking.objects.filter(pk=booking.pk).update(status=current)
    booking.refresh_from_db()
    before = StatusChange.objects.count()

    with pytest.raises(TransitionNotAllowed):
        booking_transition(booking=booking, to=target, actor=Actor.system())

    assert Booking.objects.get(pk=booking.pk).status == current
    assert StatusChange.objects.count() == before


def test_one_bad_booking_in_a_bulk_change_stops_them_all(event, user):
    first = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    second = services.booking_hold(event_id=event.pk, guest=UserFactory(), seats=1)
    with pytest.raises(TransitionNotAllowed):
        bookings_transition(
            changes=[(first.pk, "held"), (second.pk, "refunded")],
            to="cancelled",
            actor=Actor.system(),
        )
    assert set(Booking.objects.values_list("status", flat=True)) == {"held"}


def test_the_map_only_moves_forward():
    assert BOOKING_TRANSITIONS["refunded"] == set()
    assert "held" not in set().union(*BOOKING_TRANSITIONS.values())


def test_history_is_append_only(event, user):
    booking = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    row = history_for(booking).first()
    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    with pytest.raises(HistoryIsAppendOnly):
        StatusChange.objects.all().delete()


def test_payouts_have_a_history_shown_read_only_in_admin(client, settings):
    settings.PAYOUT_MINIMUM_CENTS = 100
    host = UserFactory()
    details_for(host)
    booked(ended_event(host=host), seats=2)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="manage_payouts"))
    batch = services_payouts.payout_batch_create(user=staff)
    line = batch.lines.first()
    services_payouts.payout_line_mark_returned(line_id=line.pk, reason="AC04", user=staff)
    services_payouts.payout_batch_mark_executed(batch_id=batch.pk, user=staff)

    assert statuses(batch) == [("", "created", "staff"), ("created", "executed", "staff")]
    assert statuses(line) == [("", "sent", "staff"), ("sent", "returned", "staff")]
    with pytest.raises(TransitionNotAllowed):
        services_payouts.transition_check(
            allowed=services_payouts.LINE_TRANSITIONS,
            model="payout line",
            from_status="returned",
            to_status="paid",
        )
    client.force_login(staff)
    page = client.get(
        reverse("admin:donations_payoutbatch_change", args=[batch.pk])
    ).content.decode()
    assert "executed by the bank" in page
    assert "status changes" in page.lower()


def test_events_publish_cancel_and_complete_through_the_map(host, ixelles):
    from datetime import timedelta

    from django.utils import timezone

    from events import services as event_services
    from events.models import Event
    from events.transitions import event_transition
    from tests.factories import EventFactory

    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT, published_at=None)
    event_services.event_publish(event_id=draft.pk, actor=host)
    Event.objects.filter(pk=draft.pk).update(
        ends_at=timezone.now() - timedelta(minutes=1), starts_at=timezone.now() - timedelta(hours=2)
    )
    event_services.events_complete_ended()
    draft.refresh_from_db()

    assert statuses(draft) == [("draft", "published", "user"), ("published", "completed", "system")]
    with pytest.raises(TransitionNotAllowed):
        event_transition(event=draft, to=Event.Status.PUBLISHED, actor=Actor.system())
    assert Event.objects.get(pk=draft.pk).status == Event.Status.COMPLETED


def test_a_succeeded_payment_never_goes_back(event, user):
    from bookings.models import Payment
    from bookings.transitions import payment_transition

    booking = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    payment = Payment.objects.create(booking=booking, amount_cents=2500, status="succeeded")
    with pytest.raises(TransitionNotAllowed):
        payment_transition(payment=payment, to="processing", actor=Actor.system())
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert statuses(payment) == []


def test_a_payment_synced_from_stripe_is_written_down(event, user):
    from bookings import stripe_gateway
    from bookings.models import Payment

    booking = services.booking_hold(event_id=event.pk, guest=user, seats=1)
    payment = Payment.objects.create(
        booking=booking, amount_cents=2500, status="processing", stripe_payment_intent_id="pi_h1"
    )
    intent = stripe_gateway.Intent(
        id="pi_h1", status="succeeded", amount=2500, client_secret="", last_error="", metadata={}
    )
    services.payment_intent_sync(intent=intent)

    assert statuses(payment) == [("processing", "succeeded", "stripe")]
    assert statuses(booking)[-1] == ("held", "confirmed", "stripe")
