"""Property test: any sequence of pledges and refunds keeps the fund equal to its ledger.

After every step of a random sequence of payments (pledges), partial or full refunds and
repeated routing, we assert:

1. ``Fund.pledged_cents`` == sum of pledge entries, ``Fund.reversed_cents`` == −(sum of
   reversal entries), so the fund's net == the ledger sum == the last entry's ``net_after``;
2. the tranche rows are exactly numbers 1..K, where K = (highest ``net_after`` of any ledger
   entry) // 40000, i.e. every boundary the net ever reached, even if refunds took it back
   down (a refund routed before its pledge writes the pledge first, so the net can touch a
   boundary within one step) — hence at least net // 40000 rows, and no row never reached;
3. per booking, reversed == pledge × refunded // paid (whole cents, rounded down), == the
   pledge exactly once fully refunded, and never more than the pledge;
4. ``fund_reconcile`` reports no difference.
"""

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from donations import services
from donations.bootstrap import ensure_cook4chance_fund
from donations.models import Fund, LedgerEntry, Tranche
from donations.selectors import fund_reconcile
from tests.factories import EventFactory, UserFactory

from .factories import paid_booking, refund

bookings_strategy = st.lists(
    st.tuples(st.integers(1, 100_000), st.integers(0, 100)),  # gross cents, pledge percent
    min_size=1,
    max_size=5,
)
operation = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 4)),
    st.tuples(st.just("refund"), st.integers(0, 4), st.integers(1, 100_000)),
    st.tuples(st.just("refund_rest"), st.integers(0, 4)),
    st.tuples(st.just("route_again"), st.integers(0, 4)),
)


def _ledger_sum(**filters) -> int:
    return LedgerEntry.objects.filter(**filters).aggregate(t=Sum("amount_cents"))["t"] or 0


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bookings=bookings_strategy, operations=st.lists(operation, max_size=15))
def test_fund_always_equals_its_ledger(bookings, operations):
    with transaction.atomic():
        fund = ensure_cook4chance_fund()
        event = EventFactory(host=UserFactory())
        payments = []
        for gross, percent in bookings:
            pledge = gross * percent // 100
            payments.append(
                paid_booking(
                    event=event, seats=1, gross_cents=gross, pledge_cents=pledge, status="succeeded"
                )
            )
        routed: set[int] = set()
        highest_net = 0

        for op in operations:
            index = op[1] % len(payments)
            payment = payments[index]
            payment.refresh_from_db()
            left = payment.amount_cents - payment.refunded_cents
            if op[0] in ("pay", "route_again"):
                services.pledge_record(payment_id=payment.pk)
                routed.add(payment.pk)
            elif op[0] == "refund" and left > 0:
                services.reversal_record(refund_id=refund(payment, min(op[2], left)).pk)
                routed.add(payment.pk)  # a reversal records a missing pledge first
            elif op[0] == "refund_rest" and left > 0:
                services.reversal_record(refund_id=refund(payment, left).pk)
                routed.add(payment.pk)

            fund = Fund.objects.get(pk=fund.pk)
            highest_net = max(
                [highest_net, *LedgerEntry.objects.values_list("net_after_cents", flat=True)]
            )
            # 1. totals == ledger sums
            assert fund.pledged_cents == _ledger_sum(kind="pledge")
            assert fund.reversed_cents == -_ledger_sum(kind="reversal")
            assert fund.net_cents == _ledger_sum()
            last = LedgerEntry.objects.order_by("-pk").first()
            assert fund.net_cents == (last.net_after_cents if last else 0)
            # 2. tranche rows: exactly 1..highest net reached // 40000
            numbers = list(Tranche.objects.order_by("number").values_list("number", flat=True))
            assert numbers == list(range(1, highest_net // 40_000 + 1))
            assert len(numbers) >= fund.net_cents // 40_000
            # 3. per booking reversals are exact and bounded
            for p in payments:
                p.refresh_from_db()
                pledge = p.booking.pledge_cents
                pledged = _ledger_sum(booking=p.booking, kind="pledge")
                reversed_ = -_ledger_sum(booking=p.booking, kind="reversal")
                assert pledged == (pledge if p.pk in routed and pledge > 0 else 0)
                assert 0 <= reversed_ <= pledged
                assert reversed_ == (pledge * p.refunded_cents // p.amount_cents if pledged else 0)
                if p.refunded_cents == p.amount_cents and pledged:
                    assert reversed_ == pledge
            # 4. reconciliation agrees (payments pledged but not yet routed are reported)
            differences = fund_reconcile(fund=fund).differences
            unrouted = [p for p in payments if p.pk not in routed and p.booking.pledge_cents > 0]
            assert len(differences) == len(unrouted)
        transaction.set_rollback(True)
