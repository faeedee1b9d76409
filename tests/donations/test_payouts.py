"""Payout batches: who is paid, how much, once; the pain.001 file; executed and returned lines."""

from datetime import timedelta

import pytest
import xmlschema
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from sepaxml import validation

from donations import selectors_money, services_payouts
from donations.models import (
    MoneyAccount,
    MoneyTransfer,
    PayoutBatch,
    PayoutLine,
    PayoutLineEntry,
)
from events.models import Event
from tests.factories import UserFactory

from .money import IBAN_HOST, booked, details_for, ended_event, refunded

pytestmark = pytest.mark.django_db


def balance(key: str) -> int:
    return MoneyAccount.objects.get(key=key).balance_cents


def assert_books_balance():
    for account in MoneyAccount.objects.all():
        total = account.entries.aggregate(total=Sum("amount_cents"))["total"] or 0
        assert total == account.balance_cents, account.key
    assert sum(MoneyAccount.objects.values_list("balance_cents", flat=True)) == 0


@pytest.fixture
def paying_host(settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    settings.HOST_PAYOUT_DELAY_DAYS = 3
    host = UserFactory()
    details_for(host)
    return host


def test_a_batch_pays_the_host_share_and_kiron_once(paying_host):
    payment = booked(ended_event(host=paying_host), seats=2)  # €50: €25 host, €25 Kiron

    batch = services_payouts.payout_batch_create(user=None)

    lines = {line.account.key: line for line in batch.lines.select_related("account")}
    assert {key: line.amount_cents for key, line in lines.items()} == {
        f"host:{paying_host.pk}": 2500,
        "kiron": 2500,
    }
    assert lines[f"host:{paying_host.pk}"].iban == IBAN_HOST
    assert batch.total_cents == 5000
    assert balance(f"host:{paying_host.pk}") == 0
    assert balance("kiron") == 0
    assert balance("held") == 0  # everything received went out again
    assert_books_balance()
    # Nothing left: a second batch has nothing to pay, and says so.
    with pytest.raises(ValidationError) as error:
        services_payouts.payout_batch_create(user=None)
    assert error.value.code == "no_eligible_lines"
    assert PayoutBatch.objects.count() == 1
    assert PayoutLineEntry.objects.filter(entry__booking=payment.booking).count() == 2


def test_the_file_is_a_valid_pain_001_with_one_transaction_per_line(paying_host, settings):
    booked(ended_event(host=paying_host), seats=2)

    batch = services_payouts.payout_batch_create(user=None)

    schema = xmlschema.XMLSchema(
        validation.__file__.replace("validation.py", "schemas/pain.001.001.03.xsd")
    )
    schema.validate(batch.sepa_xml)
    assert batch.sepa_xml.count("<CdtTrfTxInf>") == 2
    for line in batch.lines.all():
        assert f"<EndToEndId>{line.end_to_end_id}</EndToEndId>" in batch.sepa_xml
    assert settings.PAYOUT_DEBTOR_IBAN in batch.sepa_xml
    assert '<InstdAmt Ccy="EUR">25.00</InstdAmt>' in batch.sepa_xml


def test_nothing_is_payable_before_the_delay_or_while_the_event_is_not_completed(paying_host):
    booked(ended_event(host=paying_host, days_ago=1), seats=2)  # inside the refund window
    upcoming = ended_event(host=paying_host, days_ago=10)
    Event.objects.filter(pk=upcoming.pk).update(status=Event.Status.PUBLISHED)
    booked(upcoming, seats=2)

    with pytest.raises(ValidationError) as error:
        services_payouts.payout_batch_create(user=None)

    assert error.value.code == "no_eligible_lines"
    assert not PayoutBatch.objects.exists()
    assert not PayoutLine.objects.exists()
    assert not MoneyTransfer.objects.filter(kind="payout").exists()


def test_hosts_below_the_minimum_or_without_details_wait_kiron_is_paid(paying_host, settings):
    settings.PAYOUT_MINIMUM_CENTS = 3000
    booked(ended_event(host=paying_host), seats=2)  # host €25 < €30
    no_details = UserFactory()
    booked(ended_event(host=no_details), seats=4)

    batch = services_payouts.payout_batch_create(user=None)

    assert [line.account.key for line in batch.lines.all()] == ["kiron"]
    assert batch.total_cents == 2500 + 5000
    assert balance(f"host:{paying_host.pk}") == 2500
    assert balance(f"host:{no_details.pk}") == 5000


def test_an_open_dispute_freezes_the_booking(paying_host):
    from bookings.models import Dispute

    payment = booked(ended_event(host=paying_host), seats=2)
    Dispute.objects.create(payment=payment, stripe_dispute_id="dp_1", amount_cents=5000)

    with pytest.raises(ValidationError):
        services_payouts.payout_batch_create(user=None)

    Dispute.objects.filter(pk__isnull=False).update(status=Dispute.Status.WON)
    batch = services_payouts.payout_batch_create(user=None)
    assert batch.total_cents == 5000


def test_a_refund_before_payout_pays_only_what_is_left(paying_host):
    payment = booked(ended_event(host=paying_host), seats=2)
    refunded(payment, 2000)  # €10 of host share and €10 of pledge go back

    batch = services_payouts.payout_batch_create(user=None)

    amounts = dict(batch.lines.values_list("account__key", "amount_cents"))
    assert amounts == {f"host:{paying_host.pk}": 1500, "kiron": 1500}
    assert_books_balance()


def test_a_refund_after_payout_is_a_deduction_recovered_by_the_next_payout(paying_host):
    first = booked(ended_event(host=paying_host), seats=2)
    services_payouts.payout_batch_create(user=None)

    refunded(first, 5000)  # the host was paid €25 for it; now they owe it back
    assert balance(f"host:{paying_host.pk}") == -2500
    earnings = selectors_money.host_earnings(host=paying_host)
    assert earnings.deduction_cents == -2500
    assert earnings.paid_cents == 2500
    # Too little to pay: -€25 + €20 stays below the minimum (and below zero).
    booked(ended_event(host=paying_host), seats=1, gross_cents=4000, pledge_cents=0)
    assert balance(f"host:{paying_host.pk}") == 1500
    batch = services_payouts.payout_batch_create(user=None)
    host_line = batch.lines.get(account__key=f"host:{paying_host.pk}")
    assert host_line.amount_cents == 1500  # €40 earned minus the €25 recovered
    assert balance(f"host:{paying_host.pk}") == 0
    assert_books_balance()


def test_a_returned_line_goes_back_to_the_balance_and_is_paid_again(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    batch = services_payouts.payout_batch_create(user=None)
    line = batch.lines.get(account__key=f"host:{paying_host.pk}")

    services_payouts.payout_line_mark_returned(line_id=line.pk, reason="Account closed")

    line.refresh_from_db()
    assert line.status == PayoutLine.Status.RETURNED
    assert line.returned_reason == "Account closed"
    assert balance(f"host:{paying_host.pk}") == 2500
    with pytest.raises(ValidationError) as error:
        services_payouts.payout_line_mark_returned(line_id=line.pk, reason="again")
    assert error.value.code == "already_returned"
    assert balance(f"host:{paying_host.pk}") == 2500
    assert MoneyTransfer.objects.filter(kind="payout_return").count() == 1

    again = services_payouts.payout_batch_create(user=None)
    assert again.lines.get().amount_cents == 2500
    assert balance(f"host:{paying_host.pk}") == 0
    assert_books_balance()


def test_returning_a_line_needs_a_reason(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    line = services_payouts.payout_batch_create(user=None).lines.first()
    with pytest.raises(ValidationError) as error:
        services_payouts.payout_line_mark_returned(line_id=line.pk, reason="  ")
    assert error.value.code == "reason_required"
    line.refresh_from_db()
    assert line.status == PayoutLine.Status.SENT


def test_marking_executed_pays_the_lines_still_in_the_file(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    batch = services_payouts.payout_batch_create(user=None)
    returned = batch.lines.get(account__key="kiron")
    services_payouts.payout_line_mark_returned(line_id=returned.pk, reason="Wrong IBAN")

    services_payouts.payout_batch_mark_executed(batch_id=batch.pk, user=None)
    services_payouts.payout_batch_mark_executed(batch_id=batch.pk, user=None)

    statuses = dict(batch.lines.values_list("account__key", "status"))
    assert statuses == {f"host:{paying_host.pk}": "paid", "kiron": "returned"}
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.EXECUTED


def test_the_database_refuses_a_second_live_binding_of_one_entry(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    batch = services_payouts.payout_batch_create(user=None)
    binding = PayoutLineEntry.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLineEntry.objects.create(line=batch.lines.last(), entry=binding.entry)


def test_kiron_summary_counts_transferred_and_held(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    services_payouts.payout_batch_create(user=None)
    booked(ended_event(host=paying_host, days_ago=0), seats=2)

    assert selectors_money.kiron_summary() == {"transferred_cents": 2500, "held_cents": 2500}


def test_earnings_split_pending_payable_and_paid(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    services_payouts.payout_batch_create(user=None)
    booked(ended_event(host=paying_host), seats=4)
    booked(ended_event(host=paying_host, days_ago=1), seats=2)

    earnings = selectors_money.host_earnings(host=paying_host)

    assert (earnings.pending_cents, earnings.payable_cents, earnings.paid_cents) == (
        2500,
        5000,
        2500,
    )
    assert earnings.balance_cents == 7500
    assert len(earnings.events) == 3
    assert [line.amount_cents for line in earnings.payouts] == [2500]


def test_executed_date_is_the_requested_one(paying_host):
    booked(ended_event(host=paying_host), seats=2)
    from django.utils import timezone

    when = timezone.localdate() + timedelta(days=2)
    batch = services_payouts.payout_batch_create(user=None, execution_date=when)
    assert f"<ReqdExctnDt>{when.isoformat()}</ReqdExctnDt>" in batch.sepa_xml
