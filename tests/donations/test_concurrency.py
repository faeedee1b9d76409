"""Races on the real database: duplicate routing and simultaneous tranche crossings."""

import threading

import pytest
from django.core import mail
from django.db import connection

from donations import services, tasks
from donations.models import Fund, LedgerEntry, Tranche
from donations.selectors import fund_reconcile

from .factories import paid_booking

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(functions) -> list[BaseException]:
    """Start every function at the same moment, each on its own connection; return errors."""
    barrier = threading.Barrier(len(functions))
    errors: list[BaseException] = []

    def run(function):
        try:
            barrier.wait(timeout=10)
            function()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_pledge_task_ten_runs_some_concurrent_write_one_entry(fund):
    payment = paid_booking(seats=2)

    errors = _run_at_once([lambda: tasks.pledge_route.apply(args=[payment.pk]).get()] * 6)
    for _ in range(4):
        tasks.pledge_route.delay(payment.pk).get()

    assert errors == []
    assert LedgerEntry.objects.filter(reference=f"payment:{payment.pk}").count() == 1
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.pledged_cents == 2500
    assert fund_reconcile(fund=fund).differences == []


def test_pledges_crossing_400_at_the_same_moment_create_one_tranche(fund):
    services.pledge_record(
        payment_id=paid_booking(seats=1, gross_cents=39_900, pledge_cents=39_900).pk
    )
    payments = [paid_booking(seats=1, gross_cents=200, pledge_cents=200) for _ in range(6)]
    mail.outbox.clear()

    errors = _run_at_once([lambda p=p: services.pledge_record(payment_id=p.pk) for p in payments])

    assert errors == []
    assert list(Tranche.objects.values_list("number", flat=True)) == [1]
    assert [m.subject for m in mail.outbox] == [
        "Tranche #1 complete: one more laptop can be bought"
    ]
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.net_cents == 39_900 + 6 * 200
    # Each entry saw the totals left by the one before it: the net_after chain is exact.
    nets = sorted(LedgerEntry.objects.values_list("net_after_cents", flat=True))
    assert nets == [39_900 + i * 200 for i in range(7)]
    assert fund_reconcile(fund=fund).differences == []


def test_two_staff_recording_the_last_laptop_at_once_get_one(fund):
    from django.utils import timezone

    services.pledge_record(
        payment_id=paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000).pk
    )
    fund = Fund.objects.get(pk=fund.pk)
    errors = _run_at_once(
        [
            lambda ref=ref: services.disbursement_record(
                fund=fund, bought_on=timezone.localdate(), student_reference=ref
            )
            for ref in ("KCS-A", "KCS-B", "KCS-C")
        ]
    )
    assert fund.disbursements.count() == 1
    assert len(errors) == 2
    assert all(e.error_list[0].code == "no_tranche_available" for e in errors)


@pytest.mark.parametrize("locked", [False, True], ids=["without-lock", "with-lock"])
def test_the_fund_row_lock_is_what_keeps_the_totals_right(fund, monkeypatch, locked):
    """First show the race exists when the fund row is read without a lock, then that the
    lock closes it. A pause between reading the fund and writing widens the window."""
    import time

    def fund_read_slowly():
        manager = Fund.objects.select_for_update() if locked else Fund.objects
        read = manager.get(pk=fund.pk)
        time.sleep(0.3)
        return read

    monkeypatch.setattr(services, "_fund_lock", fund_read_slowly)
    payments = [paid_booking(seats=1, gross_cents=1000, pledge_cents=1000) for _ in range(3)]

    errors = _run_at_once([lambda p=p: services.pledge_record(payment_id=p.pk) for p in payments])

    assert errors == []
    nets = sorted(LedgerEntry.objects.values_list("net_after_cents", flat=True))
    if locked:
        assert nets == [1000, 2000, 3000]
    else:
        assert nets == [1000, 1000, 1000]  # every writer saw an empty fund: the race is real
    # The totals themselves move with F() expressions, so they are right either way.
    assert Fund.objects.get(pk=fund.pk).pledged_cents == 3000
