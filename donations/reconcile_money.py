"""Reconciliation of all money: ledger sums = stored totals = payments and refunds recorded
= what Stripe reports. Every difference is named in cents.

``money_reconcile`` only reads, except that with ``stripe=True`` it first imports the refunds
Stripe holds for recent PaymentIntents that our rows lack (a refund made in the dashboard or
on Stripe's API) and writes their ledger transfers; those imports are listed as notes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from bookings import services_mirror, stripe_gateway
from bookings.models import Payment, Refund

from . import selectors, selectors_money, services, services_ledger
from .models import Fund, MoneyAccount, MoneyEntry, MoneyTransfer, PayoutLine, PayoutLineEntry

logger = logging.getLogger(__name__)


@dataclass
class MoneyReport:
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def stripe_refunds_import(*, report: MoneyReport, days: int | None = None) -> int:
    """Import refunds Stripe holds for recent succeeded PaymentIntents that we lack.

    Network calls (one per PaymentIntent), outside any transaction. A PaymentIntent Stripe
    cannot answer for is a difference. Returns the number of refunds imported.
    """
    days = settings.RECONCILE_STRIPE_DAYS if days is None else days
    since = timezone.now() - timedelta(days=days)
    recent = Payment.objects.filter(
        status=Payment.Status.SUCCEEDED,
        succeeded_at__gte=since,
        stripe_payment_intent_id__isnull=False,
    ).order_by("pk")
    imported = 0
    for payment in recent.iterator():
        intent_id = payment.stripe_payment_intent_id
        try:
            on_stripe = stripe_gateway.refunds_list(payment_intent_id=intent_id)
        except stripe_gateway.StripeError as error:
            report.differences.append(f"payment {payment.pk} ({intent_id}): Stripe: {error}")
            continue
        created = services_mirror.payment_refunds_import(
            payment_intent_id=intent_id, refunds=on_stripe
        )
        for refund in created:
            imported += 1
            # Write the shares now rather than wait for the worker, so this report is final.
            services.reversal_record(refund_id=refund.pk)
            services_ledger.money_refund_record(refund_id=refund.pk)
            report.notes.append(
                f"imported refund {refund.stripe_refund_id} of {refund.amount_cents} cents on "
                f"payment {payment.pk} (made on Stripe)"
            )
        ours = (
            Refund.objects.filter(payment=payment)
            .exclude(reason=Refund.Reason.DISPUTE_LOST)
            .aggregate(total=Sum("amount_cents"))["total"]
            or 0
        )
        theirs = sum(r.amount for r in on_stripe if r.status not in ("failed", "canceled"))
        if ours != theirs:
            report.differences.append(
                f"payment {payment.pk} ({intent_id}): Stripe refunded {theirs} cents, "
                f"we recorded {ours} (difference {theirs - ours})"
            )
    return imported


def _ledger_checks(report: MoneyReport) -> None:
    diff = report.differences.append
    # Stored balances against their entries; all balances together.
    sums = dict(
        MoneyEntry.objects.values("account")
        .annotate(total=Sum("amount_cents"))
        .values_list("account", "total")
    )
    total = 0
    for account in MoneyAccount.objects.all():
        total += account.balance_cents
        ledger = sums.get(account.pk) or 0
        if ledger != account.balance_cents:
            diff(
                f"account {account.key}: stored balance {account.balance_cents}, entries sum "
                f"to {ledger} (difference {account.balance_cents - ledger})"
            )
    if total != 0:
        diff(f"all balances sum to {total} cents, not 0")
    unbalanced = (
        MoneyEntry.objects.values("transfer__kind", "transfer__reference")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
    )
    for row in unbalanced:
        diff(
            f"transfer {row['transfer__kind']} {row['transfer__reference']} is off by "
            f"{row['total']} cents"
        )


def _payment_checks(report: MoneyReport) -> None:
    diff = report.differences.append
    for payment_id in selectors_money.payments_missing_transfer():
        diff(f"payment {payment_id} succeeded but has no ledger transfer")
    for refund_id in selectors_money.refunds_missing_transfer():
        diff(f"refund {refund_id} has no ledger transfer")
    held = dict(
        MoneyEntry.objects.filter(
            account__key=services_ledger.HELD, booking__isnull=False
        ).values_list("transfer__reference", "amount_cents")
    )
    payments = Payment.objects.filter(status=Payment.Status.SUCCEEDED, amount_cents__gt=0)
    refunded = dict(
        Refund.objects.values("payment")
        .annotate(total=Sum("amount_cents"))
        .values_list("payment", "total")
    )
    for payment in payments.select_related("booking__event").iterator():
        reference = services_ledger.payment_transfer_reference(payment.pk)
        if reference in held and held[reference] != -payment.amount_cents:
            diff(
                f"{reference}: ledger took in {-held[reference]} cents, the payment is "
                f"{payment.amount_cents}"
            )
        if payment.booking.gross_cents != payment.amount_cents:
            diff(
                f"{reference}: booking {payment.booking.reference} is {payment.booking.gross_cents}"
                f" cents, the payment {payment.amount_cents}"
            )
        if payment.refunded_cents != (refunded.get(payment.pk) or 0):
            diff(
                f"{reference}: refunded total says {payment.refunded_cents}, refunds sum to "
                f"{refunded.get(payment.pk) or 0}"
            )
    for refund in Refund.objects.iterator():
        reference = services_ledger.refund_transfer_reference(refund.pk)
        if reference in held and held[reference] != refund.amount_cents:
            diff(
                f"{reference}: ledger gave back {held[reference]}, the refund is {refund.amount_cents}"
            )

    # Each booking's shares: the frozen split, less the targets of everything refunded.
    shares: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for booking_id, key, amount in MoneyEntry.objects.filter(
        transfer__kind__in=selectors_money.PAYABLE_KINDS
    ).values_list("booking_id", "account__key", "amount_cents"):
        shares[booking_id][key] += amount
    for payment in payments.filter(booking_id__in=list(shares)).select_related("booking__event"):
        booking = payment.booking
        expected = services_ledger.payment_legs(booking=booking, paid_cents=payment.amount_cents)
        targets = services_ledger.refund_targets(
            booking=booking,
            paid_cents=payment.amount_cents,
            refunded_cents=refunded.get(payment.pk) or 0,
        )
        for key in expected:
            if key == services_ledger.HELD:
                want = expected[key] + (refunded.get(payment.pk) or 0)
            else:
                want = expected[key] - targets[key]
            have = shares[booking.pk].get(key, 0)
            if have != want:
                diff(f"booking {booking.reference}: {key} holds {have} cents, expected {want}")


def _fund_checks(report: MoneyReport) -> None:
    diff = report.differences.append
    kiron = (
        MoneyEntry.objects.filter(
            account__key=services_ledger.KIRON, transfer__kind__in=selectors_money.PAYABLE_KINDS
        ).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    fund_net = sum(fund.net_cents for fund in Fund.objects.all())
    if kiron != fund_net:
        diff(
            f"Kiron's share on the money ledger is {kiron} cents, the fund's net is {fund_net} "
            f"(difference {kiron - fund_net})"
        )
    for fund in Fund.objects.all():
        fund_report = selectors.fund_reconcile(fund=fund)
        report.differences.extend(f"fund: {line}" for line in fund_report.differences)
        report.notes.extend(f"fund: {line}" for line in fund_report.notes)


def _payout_checks(report: MoneyReport) -> None:
    diff = report.differences.append
    legs = {
        (kind, reference): amount
        for kind, reference, amount in MoneyEntry.objects.filter(
            transfer__kind__in=[MoneyTransfer.Kind.PAYOUT, MoneyTransfer.Kind.PAYOUT_RETURN]
        )
        .exclude(account__key=services_ledger.HELD)
        .values_list("transfer__kind", "transfer__reference", "amount_cents")
    }
    bound = dict(
        PayoutLineEntry.objects.filter(released=False)
        .values("line")
        .annotate(total=Sum("entry__amount_cents"))
        .values_list("line", "total")
    )
    for line in PayoutLine.objects.iterator():
        reference = f"payout-line:{line.pk}"
        if legs.get((MoneyTransfer.Kind.PAYOUT, reference)) != -line.amount_cents:
            diff(f"payout line {line.end_to_end_id}: no payout transfer of {line.amount_cents}")
        returned = line.status == PayoutLine.Status.RETURNED
        has_return = (MoneyTransfer.Kind.PAYOUT_RETURN, reference) in legs
        if returned != has_return:
            diff(
                f"payout line {line.end_to_end_id}: returned={returned} but return transfer={has_return}"
            )
        if not returned and (bound.get(line.pk) or 0) != line.amount_cents:
            diff(
                f"payout line {line.end_to_end_id}: pays {line.amount_cents} cents for entries "
                f"worth {bound.get(line.pk) or 0}"
            )


def money_reconcile(*, stripe: bool = True, days: int | None = None) -> MoneyReport:
    """Compare everything; with ``stripe`` import missing refunds from Stripe first."""
    report = MoneyReport()
    if stripe:
        stripe_refunds_import(report=report, days=days)
    _ledger_checks(report)
    _payment_checks(report)
    _fund_checks(report)
    _payout_checks(report)
    return report
