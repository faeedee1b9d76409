"""Pledges, reversals, tranches and laptops, through the services (SQLite and Postgres)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Payment
from donations import services
from donations.models import Disbursement, LedgerEntry, Tranche
from donations.selectors import fund_reconcile
from tests.factories import EventFactory

from .factories import paid_booking, refund

pytestmark = pytest.mark.django_db


def test_pledge_record_writes_the_frozen_pledge_once(fund):
    payment = paid_booking(seats=2)  # 2 × €25, half pledged
    first = services.pledge_record(payment_id=payment.pk)
    again = services.pledge_record(payment_id=payment.pk)

    assert first.pk == again.pk
    assert first.amount_cents == 2500
    assert first.reference == f"payment:{payment.pk}"
    assert first.net_after_cents == 2500
    fund.refresh_from_db()
    assert (fund.pledged_cents, fund.reversed_cents, fund.net_cents) == (2500, 0, 2500)
    assert LedgerEntry.objects.count() == 1


def test_pledge_uses_the_frozen_amount_even_if_the_event_changes_later(fund):
    payment = paid_booking(seats=1, gross_cents=2500, pledge_cents=1250)
    payment.booking.event.pledge_percent = 100
    payment.booking.event.save()
    assert services.pledge_record(payment_id=payment.pk).amount_cents == 1250


def test_zero_pledge_and_unpaid_payments_write_nothing(fund):
    free = paid_booking(event=EventFactory(pledge_percent=0))
    unpaid = paid_booking(status=Payment.Status.PROCESSING)

    assert services.pledge_record(payment_id=free.pk) is None
    assert services.pledge_record(payment_id=unpaid.pk) is None
    assert LedgerEntry.objects.count() == 0


def test_crossing_400_creates_one_tranche_and_emails_staff_once(
    fund, kiron_group, django_capture_on_commit_callbacks, user
):
    user.groups.add(kiron_group)
    big = paid_booking(seats=1, gross_cents=39_900, pledge_cents=39_900)
    small = paid_booking(seats=1, gross_cents=200, pledge_cents=200)

    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_record(payment_id=big.pk)
    assert Tranche.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_record(payment_id=small.pk)
        services.pledge_record(payment_id=small.pk)

    assert list(Tranche.objects.values_list("number", flat=True)) == [1]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Tranche #1 complete: one more laptop can be bought"
    assert "kiron@meetsies.local" in message.to
    assert user.email in message.to
    assert Tranche.objects.get().staff_notified_at is not None
    # Running the notification again (sweep, retry) sends nothing more.
    assert services.tranche_staff_notify(tranche_id=Tranche.objects.get().pk) is False
    assert len(mail.outbox) == 1


def test_one_pledge_can_complete_several_tranches(fund, django_capture_on_commit_callbacks):
    payment = paid_booking(seats=1, gross_cents=120_000, pledge_cents=120_000)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_record(payment_id=payment.pk)
    assert list(Tranche.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert sorted(m.subject[:10] for m in mail.outbox) == ["Tranche #1", "Tranche #2", "Tranche #3"]


@pytest.mark.parametrize(
    ("pledge", "paid", "refunds", "reversals"),
    [
        # Odd pledge refunded in two halves: floor first, exact remainder on the full refund.
        (1001, 2002, [1001, 1001], [-500, -501]),
        # Three thirds of an amount that does not divide: the total is still the pledge.
        (1001, 3000, [1000, 1000, 1000], [-333, -334, -334]),
        # A partial refund only: proportional, rounded down.
        (1250, 2500, [999], [-499]),
        # A refund too small to move a whole cent writes nothing, the next one catches up.
        (10, 2000, [1, 1999], [-10]),
        # Full refund in one go reverses the whole pledge.
        (777, 777, [777], [-777]),
    ],
)
def test_reversals_are_exact_and_never_exceed_the_pledge(fund, pledge, paid, refunds, reversals):
    payment = paid_booking(seats=1, gross_cents=paid, pledge_cents=pledge)
    services.pledge_record(payment_id=payment.pk)
    for amount in refunds:
        made = refund(payment, amount)
        services.reversal_record(refund_id=made.pk)
        services.reversal_record(refund_id=made.pk)  # repeated: no second entry

    written = list(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL)
        .order_by("pk")
        .values_list("amount_cents", flat=True)
    )
    assert written == reversals
    fund.refresh_from_db()
    assert fund.reversed_cents == -sum(reversals)
    assert fund.reversed_cents <= pledge
    if sum(refunds) == paid:
        assert fund.net_cents == 0
    assert fund_reconcile(fund=fund).differences == []


def test_refund_before_the_pledge_was_routed_records_the_pledge_first(fund):
    payment = paid_booking(seats=1, gross_cents=3000, pledge_cents=1500)
    made = refund(payment, 3000)

    services.reversal_record(refund_id=made.pk)
    services.pledge_record(payment_id=payment.pk)  # the late pledge task changes nothing

    kinds = list(LedgerEntry.objects.order_by("pk").values_list("kind", "amount_cents"))
    assert kinds == [("pledge", 1500), ("reversal", -1500)]
    fund.refresh_from_db()
    assert fund.net_cents == 0


def test_refunds_taking_net_below_a_boundary_keep_the_tranche_row(fund):
    payment = paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000)
    services.pledge_record(payment_id=payment.pk)
    services.reversal_record(refund_id=refund(payment, 20_000).pk)

    fund.refresh_from_db()
    assert fund.net_cents == 20_000
    assert fund.complete_tranches == 0
    assert Tranche.objects.count() == 1
    report = fund_reconcile(fund=fund)
    assert report.differences == []
    assert any("refunds took the net below" in note for note in report.notes)


# ---------------------------------------------------------------- disbursements


def _fund_with_tranches(fund, count):
    payment = paid_booking(seats=1, gross_cents=40_000 * count, pledge_cents=40_000 * count)
    services.pledge_record(payment_id=payment.pk)
    fund.refresh_from_db()
    return payment


def test_disbursement_needs_a_complete_tranche(fund, user):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.disbursement_record(
            fund=fund, bought_on=today, student_reference="KCS-001", user=user
        )
    assert caught.value.error_list[0].code == "no_tranche_available"

    _fund_with_tranches(fund, 1)
    laptop = services.disbursement_record(
        fund=fund, bought_on=today, student_reference="KCS-001", note="Python track", user=user
    )
    assert laptop.amount_cents == 40_000 and laptop.recorded_by == user
    with pytest.raises(ValidationError) as caught:
        services.disbursement_record(fund=fund, bought_on=today, student_reference="KCS-002")
    assert caught.value.error_list[0].code == "no_tranche_available"
    assert Disbursement.objects.count() == 1


def test_no_laptop_after_refunds_took_the_net_below_the_boundary(fund):
    payment = _fund_with_tranches(fund, 1)
    services.reversal_record(refund_id=refund(payment, 1).pk)  # €399.99 left
    with pytest.raises(ValidationError) as caught:
        services.disbursement_record(
            fund=fund, bought_on=timezone.localdate(), student_reference="KCS-001"
        )
    assert caught.value.error_list[0].code == "no_tranche_available"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount_cents": 0}, "amount_not_positive"),
        ({"amount_cents": -40_000}, "amount_not_positive"),
        ({"bought_on": None}, "date_required"),
        ({"bought_on": "tomorrow"}, "date_future"),
        ({"student_reference": "  "}, "reference_required"),
    ],
)
def test_disbursement_bad_input_is_refused_with_a_code(fund, changes, code):
    _fund_with_tranches(fund, 1)
    data = {
        "fund": fund,
        "bought_on": timezone.localdate(),
        "student_reference": "KCS-001",
        "amount_cents": 40_000,
        **changes,
    }
    if data["bought_on"] == "tomorrow":
        data["bought_on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.disbursement_record(**data)
    assert [e.code for e in caught.value.error_list] == [code]
    assert Disbursement.objects.count() == 0
