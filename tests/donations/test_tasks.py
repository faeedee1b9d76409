"""Routing through Celery: signals → tasks → ledger, the sweep, and reconciliation."""

import io

import pytest
from django.core.management import call_command

from bookings.models import Payment
from donations import tasks
from donations.models import Fund, LedgerEntry
from donations.selectors import fund_reconcile

from .factories import paid_booking, refund, send_payment_refunded, send_payment_succeeded

pytestmark = pytest.mark.django_db


def test_payment_succeeded_signal_records_the_pledge(fund, django_capture_on_commit_callbacks):
    payment = paid_booking(seats=3)
    with django_capture_on_commit_callbacks(execute=True):
        send_payment_succeeded(payment)
    fund.refresh_from_db()
    assert fund.pledged_cents == 3750
    assert LedgerEntry.objects.get().reference == f"payment:{payment.pk}"


def test_refund_signal_records_the_reversal(fund, django_capture_on_commit_callbacks):
    payment = paid_booking(seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        send_payment_succeeded(payment)
        send_payment_refunded(refund(payment, 2500))
    fund.refresh_from_db()
    assert (fund.pledged_cents, fund.reversed_cents) == (2500, 1250)


def test_the_pledge_task_run_ten_times_writes_one_entry(fund):
    payment = paid_booking(seats=2)
    results = {tasks.pledge_route.delay(payment.pk).get() for _ in range(10)}
    assert len(results) == 1
    assert LedgerEntry.objects.count() == 1
    fund.refresh_from_db()
    assert fund.pledged_cents == 2500


def test_a_failing_enqueue_does_not_break_the_payment_flow(
    fund, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(tasks.pledge_route, "delay", broker_down)
    payment = paid_booking(seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        send_payment_succeeded(payment)  # must not raise into the bookings code
    assert LedgerEntry.objects.count() == 0
    assert "the sweep will catch up" in caplog.text

    counts = tasks.fund_sweep.delay().get()
    assert counts["pledges"] == 1
    fund.refresh_from_db()
    assert fund.pledged_cents == 2500


def test_sweep_catches_missing_pledges_and_reversals_only(fund):
    routed = paid_booking(seats=1)
    tasks.pledge_route.delay(routed.pk)
    lost = paid_booking(seats=2)
    lost_refund = refund(lost, 1000)
    paid_booking(seats=2, status=Payment.Status.REQUIRES_ACTION)  # not paid: nothing to sweep

    assert tasks.fund_sweep.delay().get() == {
        "pledges": 1,
        "reversals": 1,
        "notices": 0,
        "errors": 0,
    }
    assert LedgerEntry.objects.filter(reference=f"refund:{lost_refund.pk}").get().amount_cents == (
        -500
    )
    assert tasks.fund_sweep.delay().get()["pledges"] == 0
    assert fund_reconcile(fund=Fund.objects.get(pk=fund.pk)).differences == []


def test_reconcile_command_reports_every_difference_and_exits_non_zero(fund):
    ok = paid_booking(seats=2)
    tasks.pledge_route.delay(ok.pk)
    out = io.StringIO()
    call_command("reconcile_fund", stdout=out)
    assert "agrees with its ledger" in out.getvalue()

    paid_booking(seats=4)  # succeeded, never routed
    refund(ok, 2500)  # refunded, never reversed
    Fund.objects.filter(pk=fund.pk).update(pledged_cents=99_999)  # totals tampered with
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile_fund", stdout=out)
    assert exit_.value.code == 1
    report = out.getvalue()
    assert "pledged total: fund says 99999, ledger sums to 2500" in report
    assert "has no pledge entry" in report
    assert "should reverse 1250 of the pledge, ledger reverses 0" in report
    assert "3 difference(s) found." in report
    assert tasks.fund_reconcile.delay().get() == [
        line.strip().removeprefix("DIFFERENCE: ")
        for line in report.splitlines()
        if "DIFFERENCE" in line
    ]


def test_sweep_sends_a_tranche_email_that_was_never_sent(fund, monkeypatch):
    from django.core import mail

    from donations.models import Tranche

    monkeypatch.setattr(tasks.tranche_notify, "delay", lambda *a: None)  # the enqueue is lost
    big = paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000)
    tasks.pledge_route.delay(big.pk)
    assert Tranche.objects.get().staff_notified_at is None
    assert mail.outbox == []

    assert tasks.fund_sweep.delay().get()["notices"] == 1
    assert [m.subject for m in mail.outbox] == [
        "Tranche #1 complete: one more laptop can be bought"
    ]
    assert tasks.fund_sweep.delay().get()["notices"] == 0
    assert len(mail.outbox) == 1


def test_a_failed_tranche_email_is_retried_later(fund, monkeypatch):
    from django.core import mail

    from donations import services
    from donations.models import Tranche

    monkeypatch.setattr(tasks.tranche_notify, "delay", lambda *a: None)
    tasks.pledge_route.delay(paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000).pk)
    tranche = Tranche.objects.get()

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        services.tranche_staff_notify(tranche_id=tranche.pk)
    tranche.refresh_from_db()
    assert tranche.staff_notified_at is None  # the claim was released

    monkeypatch.undo()
    assert services.tranche_staff_notify(tranche_id=tranche.pk) is True
    assert len(mail.outbox) == 1
