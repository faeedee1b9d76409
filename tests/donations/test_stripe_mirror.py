"""Stripe's side reaches our books: charge.refunded, disputes, signed like Stripe does."""

import time

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Booking, Dispute, Refund, StripeEvent
from donations.models import LedgerEntry, MoneyAccount, MoneyTransfer
from donations.reconcile_money import money_reconcile
from tests.bookings.conftest import signed_webhook

from .money import booked, ended_event


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST a signed event and run its after-commit work (signals, ledger tasks) as a commit would."""

    def post(payload):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_webhook(client, payload)

    return post


pytestmark = pytest.mark.django_db


def charge_refunded(intent_id, refunds, *, event_id="evt_charge_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": intent_id,
                "amount": 5000,
                "amount_refunded": sum(amount for _id, amount in refunds),
                "refunds": {
                    "object": "list",
                    "data": [
                        {"id": rid, "object": "refund", "amount": amount, "status": "succeeded"}
                        for rid, amount in refunds
                    ],
                },
            }
        },
    }


def dispute_event(intent_id, *, status, type, event_id, amount=5000):
    return {
        "id": event_id,
        "object": "event",
        "type": type,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "dp_1",
                "object": "dispute",
                "charge": "ch_1",
                "payment_intent": intent_id,
                "amount": amount,
                "reason": "fraudulent",
                "status": status,
            }
        },
    }


def balance(key):
    return MoneyAccount.objects.get(key=key).balance_cents


@pytest.fixture
def paid(fund):
    event = ended_event()
    payment = booked(event, seats=2)  # €50: €25 host, €25 pledge
    return payment


def test_a_dashboard_refund_reaches_the_books_once(deliver, paid, fund):
    intent = paid.stripe_payment_intent_id
    payload = charge_refunded(intent, [("re_dash_1", 2000)])

    first = deliver(payload)
    again = deliver(payload)
    later = deliver(charge_refunded(intent, [("re_dash_1", 2000)], event_id="evt_charge_2"))

    assert (first.status_code, again.status_code, later.status_code) == (200, 200, 200)
    refund = Refund.objects.get()
    assert (refund.stripe_refund_id, refund.amount_cents, refund.reason) == (
        "re_dash_1",
        2000,
        Refund.Reason.STRIPE,
    )
    paid.refresh_from_db()
    assert paid.refunded_cents == 2000
    assert balance("held") == -3000
    assert balance("kiron") == 1500
    assert LedgerEntry.objects.filter(kind="reversal").get().amount_cents == -1000
    assert StripeEvent.objects.filter(type="charge.refunded").count() == 2
    assert money_reconcile(stripe=False).differences == []


def test_a_refund_beyond_what_is_left_is_capped(deliver, paid):
    deliver(charge_refunded(paid.stripe_payment_intent_id, [("re_a", 4000), ("re_b", 4000)]))
    assert sorted(Refund.objects.values_list("amount_cents", flat=True)) == [1000, 4000]
    paid.refresh_from_db()
    assert paid.refunded_cents == 5000


def test_an_open_dispute_freezes_the_payout_and_a_lost_one_reverses_every_share(
    deliver, paid, settings
):
    from donations import selectors_money, services_payouts

    from .money import details_for

    settings.PAYOUT_MINIMUM_CENTS = 100
    host = paid.booking.event.host
    details_for(host)
    intent = paid.stripe_payment_intent_id
    deliver(
        dispute_event(
            intent, status="needs_response", type="charge.dispute.created", event_id="evt_d1"
        ),
    )

    dispute = Dispute.objects.get()
    assert dispute.status == Dispute.Status.OPEN
    host_account = MoneyAccount.objects.get(host=host)
    assert selectors_money.entries_payable(account=host_account).count() == 0
    assert selectors_money.host_earnings(host=host).events[0].frozen
    # The whole booking is frozen: the host's share and Kiron's.
    with pytest.raises(ValidationError):
        services_payouts.payout_batch_create(user=None)

    deliver(
        dispute_event(intent, status="lost", type="charge.dispute.closed", event_id="evt_d2"),
    )

    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.LOST
    refund = Refund.objects.get()
    assert (refund.reason, refund.amount_cents, refund.stripe_refund_id) == (
        Refund.Reason.DISPUTE_LOST,
        5000,
        "dp_1",
    )
    assert balance(f"host:{host.pk}") == 0
    assert MoneyTransfer.objects.filter(kind="refund").count() == 1


def test_a_won_dispute_changes_no_money_and_closing_is_final(deliver, paid):
    intent = paid.stripe_payment_intent_id
    deliver(
        dispute_event(
            intent, status="needs_response", type="charge.dispute.created", event_id="e1"
        ),
    )
    deliver(dispute_event(intent, status="won", type="charge.dispute.closed", event_id="e2"))
    deliver(dispute_event(intent, status="lost", type="charge.dispute.closed", event_id="e3"))

    assert Dispute.objects.get().status == Dispute.Status.WON
    assert not Refund.objects.exists()
    assert balance("held") == -5000


def test_a_dispute_about_an_unknown_payment_is_acknowledged(deliver, db):
    response = deliver(
        dispute_event("pi_unknown", status="lost", type="charge.dispute.closed", event_id="e9"),
    )
    assert response.status_code == 200
    assert not Dispute.objects.exists()
    assert StripeEvent.objects.filter(event_id="e9").exists()


def test_a_cancelled_booking_refunded_on_stripe_ends_refunded(deliver, paid):
    Booking.objects.filter(pk=paid.booking_id).update(status=Booking.Status.CANCELLED)
    deliver(charge_refunded(paid.stripe_payment_intent_id, [("re_c", 5000)]))
    assert Booking.objects.get(pk=paid.booking_id).status == Booking.Status.REFUNDED
