"""The money ledger: balanced transfers per payment and refund, exactly once, append-only."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from donations import selectors_money, services_ledger, tasks
from donations.models import LedgerIsAppendOnly, MoneyAccount, MoneyEntry, MoneyTransfer
from tests.factories import EventFactory

from .factories import paid_booking, refund, send_payment_refunded, send_payment_succeeded

pytestmark = pytest.mark.django_db


def balances() -> dict[str, int]:
    return dict(MoneyAccount.objects.values_list("key", "balance_cents"))


def assert_books_balance():
    """Every stored balance equals the sum of its entries; all balances sum to zero."""
    for account in MoneyAccount.objects.all():
        total = account.entries.aggregate(total=Sum("amount_cents"))["total"] or 0
        assert total == account.balance_cents, account.key
    assert sum(balances().values()) == 0
    for transfer in MoneyTransfer.objects.all():
        assert transfer.entries.aggregate(total=Sum("amount_cents"))["total"] == 0


def test_a_payment_credits_host_kiron_and_platform_and_debits_money_held(settings):
    event = EventFactory(contribution_cents=2500, pledge_percent=30)
    payment = paid_booking(event=event, seats=2, gross_cents=5000, pledge_cents=1500)
    # 5 % platform fee taken from the host's share, frozen on the booking.
    payment.booking.__class__.objects.filter(pk=payment.booking_id).update(
        platform_fee_cents=250, host_cents=3250
    )

    services_ledger.money_payment_record(payment_id=payment.pk)

    assert balances() == {
        "held": -5000,
        f"host:{event.host_id}": 3250,
        "kiron": 1500,
        "platform": 250,
    }
    assert_books_balance()


def test_recording_a_payment_twice_writes_one_transfer():
    payment = paid_booking(seats=2)

    first = services_ledger.money_payment_record(payment_id=payment.pk)
    again = services_ledger.money_payment_record(payment_id=payment.pk)
    tasks.money_payment_route.delay(payment.pk)

    assert first.pk == again.pk
    assert MoneyTransfer.objects.count() == 1
    assert balances()["held"] == -5000


def test_unsucceeded_and_free_payments_write_nothing():
    pending = paid_booking(status="processing")
    free = paid_booking(gross_cents=0, pledge_cents=0, seats=1)

    assert services_ledger.money_payment_record(payment_id=pending.pk) is None
    assert services_ledger.money_payment_record(payment_id=free.pk) is None
    assert not MoneyTransfer.objects.exists()


def test_a_full_refund_reverses_every_share_exactly():
    event = EventFactory(pledge_percent=33)
    payment = paid_booking(event=event, seats=1, gross_cents=2501, pledge_cents=825)
    services_ledger.money_payment_record(payment_id=payment.pk)

    made = refund(payment, 2501)
    services_ledger.money_refund_record(refund_id=made.pk)

    assert set(balances().values()) == {0}
    assert_books_balance()


def test_partial_refunds_reverse_proportionally_and_add_up_to_a_full_refund():
    event = EventFactory(pledge_percent=50)
    payment = paid_booking(event=event, seats=3, gross_cents=1001, pledge_cents=500)
    host = f"host:{event.host_id}"
    services_ledger.money_payment_record(payment_id=payment.pk)

    first = refund(payment, 333)
    services_ledger.money_refund_record(refund_id=first.pk)
    # 500 × 333 // 1001 = 166 of the pledge, 501 × 333 // 1001 = 166 of the host's share;
    # the platform bears the rounding cent.
    assert balances() == {"held": -668, host: 501 - 166, "kiron": 500 - 166, "platform": -1}

    second = refund(payment, 668)
    services_ledger.money_refund_record(refund_id=second.pk)
    assert set(balances().values()) == {0}
    assert_books_balance()


def test_a_refund_recorded_before_its_payment_and_earlier_refunds_writes_them_first():
    payment = paid_booking(seats=2)
    first = refund(payment, 1000)
    second = refund(payment, 1000)

    services_ledger.money_refund_record(refund_id=second.pk)

    kinds = sorted(MoneyTransfer.objects.values_list("kind", "reference"))
    assert kinds == [
        ("payment", f"payment:{payment.pk}"),
        ("refund", f"refund:{first.pk}"),
        ("refund", f"refund:{second.pk}"),
    ]
    assert_books_balance()
    assert balances()["held"] == -3000


def test_signals_route_payment_and_refund_to_the_ledger(django_capture_on_commit_callbacks):
    payment = paid_booking(seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        send_payment_succeeded(payment)
    made = refund(payment, 5000)
    with django_capture_on_commit_callbacks(execute=True):
        send_payment_refunded(made)

    assert MoneyTransfer.objects.filter(kind="payment").count() == 1
    assert MoneyTransfer.objects.filter(kind="refund").count() == 1
    assert set(balances().values()) == {0}


def test_the_sweep_writes_what_the_signals_missed_once():
    payment = paid_booking(seats=2)
    made = refund(payment, 1200)
    assert selectors_money.payments_missing_transfer() == [payment.pk]
    assert selectors_money.refunds_missing_transfer() == [made.pk]

    assert tasks.money_sweep() == {"payments": 1, "refunds": 1, "errors": 0}
    assert tasks.money_sweep() == {"payments": 0, "refunds": 0, "errors": 0}
    assert selectors_money.payments_missing_transfer() == []
    assert selectors_money.refunds_missing_transfer() == []
    assert_books_balance()


def test_an_unbalanced_transfer_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError), transaction.atomic():
        services_ledger.transfer_write(
            kind="payment", reference="payment:x", legs={"held": -100, "kiron": 99}
        )
    assert not MoneyTransfer.objects.exists()
    assert not MoneyEntry.objects.exists()


def test_entries_and_transfers_refuse_change_and_deletion_in_python():
    payment = paid_booking(seats=1)
    transfer = services_ledger.money_payment_record(payment_id=payment.pk)
    entry = transfer.entries.first()

    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        MoneyEntry.objects.filter(pk=entry.pk).update(amount_cents=1)
    with pytest.raises(LedgerIsAppendOnly):
        MoneyTransfer.objects.all().delete()


def test_a_second_transfer_of_one_kind_and_reference_is_refused_by_the_database():
    payment = paid_booking(seats=1)
    services_ledger.money_payment_record(payment_id=payment.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyTransfer.objects.create(kind="payment", reference=f"payment:{payment.pk}")


@pytest.mark.postgres
def test_postgres_refuses_raw_updates_and_deletes_of_the_money_ledger():
    payment = paid_booking(seats=1)
    services_ledger.money_payment_record(payment_id=payment.pk)
    for sql in (
        "UPDATE donations_moneyentry SET amount_cents = 1",
        "DELETE FROM donations_moneyentry",
        "UPDATE donations_moneytransfer SET reference = 'x'",
        "DELETE FROM donations_moneytransfer",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert MoneyEntry.objects.count() == 3
