"""Property test of the money ledger over random sequences of money movements.

Payments, partial and full refunds, disputes opened, lost and won, payout batches and
returned payout lines, in any order, on bookings of events that are over (payable) or not.
After every step:

1. every stored balance equals the sum of its entries, every transfer sums to zero, and all
   balances together sum to zero;
2. each payout line that was not returned pays exactly the entries bound to it;
3. a booking's entries on each share stay between nothing and its frozen share;
4. a beneficiary's balance equals what no live payout line has taken yet;
5. the reconciliation's ledger and payout checks find no difference.
"""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import services_mirror, stripe_gateway
from bookings.models import Dispute, Refund
from donations import reconcile_money, selectors_money, services_ledger, services_payouts
from donations.models import MoneyAccount, MoneyEntry, MoneyTransfer, PayoutLine
from tests.factories import UserFactory

from .factories import paid_booking, refund
from .money import details_for, ended_event

_ids = itertools.count(1)

bookings_strategy = st.lists(
    st.tuples(
        st.integers(1, 50_000),  # gross cents
        st.integers(0, 100),  # pledge percent
        st.integers(0, 20),  # platform fee percent (of the gross, from the host's share)
        st.booleans(),  # the event is over and past the payout delay
    ),
    min_size=1,
    max_size=4,
)
operation = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 3)),
    st.tuples(st.just("refund"), st.integers(0, 3), st.integers(1, 50_000)),
    st.tuples(st.just("refund_rest"), st.integers(0, 3)),
    st.tuples(st.just("dispute"), st.integers(0, 3)),
    st.tuples(st.just("dispute_lost"), st.integers(0, 3)),
    st.tuples(st.just("dispute_won"), st.integers(0, 3)),
    st.tuples(st.just("payout"), st.just(0)),
    st.tuples(st.just("return"), st.integers(0, 10)),
)


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum("amount_cents"))["total"] or 0


def _check_invariants(payments) -> None:
    # 1.
    for account in MoneyAccount.objects.all():
        assert account.balance_cents == _sum(account.entries.all()), account.key
        # 4.
        if account.key != "held":
            unpaid = _sum(selectors_money.entries_unpaid(account=account))
            assert account.balance_cents == unpaid, account.key
    assert sum(MoneyAccount.objects.values_list("balance_cents", flat=True)) == 0
    for transfer in MoneyTransfer.objects.all():
        assert _sum(transfer.entries.all()) == 0, transfer.reference
    # 2.
    for line in PayoutLine.objects.exclude(status=PayoutLine.Status.RETURNED):
        bound = line.bindings.filter(released=False).aggregate(t=Sum("entry__amount_cents"))
        assert bound["t"] == line.amount_cents
    # 3.
    for payment in payments:
        booking = payment.booking
        shares = {
            f"host:{booking.event.host_id}": booking.host_cents,
            "kiron": booking.pledge_cents,
            "platform": booking.platform_fee_cents,
        }
        for key, frozen in shares.items():
            held = _sum(
                MoneyEntry.objects.filter(
                    booking=booking, account__key=key, transfer__kind__in=["payment", "refund"]
                )
            )
            # The platform bears rounding: at most one cent per other share per refund.
            slack = 0 if key != "platform" else 2 * Refund.objects.filter(payment=payment).count()
            assert -slack <= held <= frozen, (key, held)
    # 5.
    report = reconcile_money.MoneyReport()
    reconcile_money._ledger_checks(report)
    reconcile_money._payout_checks(report)
    assert report.differences == []


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bookings=bookings_strategy, operations=st.lists(operation, max_size=12))
def test_every_balance_equals_its_entries_and_all_sum_to_zero(bookings, operations):
    from django.conf import settings as django_settings

    minimum = django_settings.PAYOUT_MINIMUM_CENTS
    django_settings.PAYOUT_MINIMUM_CENTS = 1
    try:
        with transaction.atomic():
            hosts = [UserFactory(), UserFactory()]
            for host in hosts:
                details_for(host)
            payments = []
            for index, (gross, percent, fee_percent, over) in enumerate(bookings):
                event = ended_event(host=hosts[index % 2], days_ago=10 if over else 1)
                pledge = gross * percent // 100
                fee = min(gross * fee_percent // 100, gross - pledge)
                payment = paid_booking(event=event, seats=1, gross_cents=gross, pledge_cents=pledge)
                type(payment.booking).objects.filter(pk=payment.booking_id).update(
                    platform_fee_cents=fee, host_cents=gross - pledge - fee
                )
                payment.booking.refresh_from_db()
                payments.append(payment)

            for op in operations:
                name = op[0]
                if name == "payout":
                    try:
                        services_payouts.payout_batch_create(user=None)
                    except ValidationError as error:
                        assert error.code == "no_eligible_lines"
                    _check_invariants(payments)
                    continue
                if name == "return":
                    lines = list(
                        PayoutLine.objects.exclude(status=PayoutLine.Status.RETURNED).order_by("pk")
                    )
                    if lines:
                        line = lines[op[1] % len(lines)]
                        services_payouts.payout_line_mark_returned(
                            line_id=line.pk, reason="Returned by the bank"
                        )
                    _check_invariants(payments)
                    continue
                payment = payments[op[1] % len(payments)]
                payment.refresh_from_db()
                left = payment.amount_cents - payment.refunded_cents
                if name == "pay":
                    services_ledger.money_payment_record(payment_id=payment.pk)
                elif name in ("refund", "refund_rest") and left > 0:
                    amount = left if name == "refund_rest" else min(op[2], left)
                    services_ledger.money_refund_record(refund_id=refund(payment, amount).pk)
                elif name == "dispute" and not payment.disputes.filter(status="open").exists():
                    services_mirror.dispute_sync(
                        dispute=stripe_gateway.DisputeInfo(
                            id=f"dp_{next(_ids)}",
                            payment_intent_id=payment.stripe_payment_intent_id,
                            amount=payment.amount_cents,
                            reason="fraudulent",
                            status="needs_response",
                        )
                    )
                elif name in ("dispute_lost", "dispute_won"):
                    open_dispute = payment.disputes.filter(status=Dispute.Status.OPEN).first()
                    if open_dispute is not None:
                        services_mirror.dispute_sync(
                            dispute=stripe_gateway.DisputeInfo(
                                id=open_dispute.stripe_dispute_id,
                                payment_intent_id=payment.stripe_payment_intent_id,
                                amount=open_dispute.amount_cents,
                                reason="fraudulent",
                                status="lost" if name == "dispute_lost" else "won",
                            )
                        )
                        # What the payment_refunded signal's task does after commit.
                        for made in Refund.objects.filter(payment=payment):
                            services_ledger.money_refund_record(refund_id=made.pk)
                _check_invariants(payments)
            transaction.set_rollback(True)
    finally:
        django_settings.PAYOUT_MINIMUM_CENTS = minimum
