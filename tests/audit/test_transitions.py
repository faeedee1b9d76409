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
