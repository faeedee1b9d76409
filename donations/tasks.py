"""Celery tasks of the fund. Each takes ids, calls one service, is idempotent and retries.

Retries use exponential backoff with jitter (up to 10 minutes between tries, 8 tries); a row
that does not exist is not retried (a sweep would not find it either).
"""

import logging

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from . import selectors, services

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (Exception,),
    "dont_autoretry_for": (ObjectDoesNotExist,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(name="donations.pledge_route", **RETRY)
def pledge_route(payment_id: int) -> int | None:
    """Write the pledge entry of a succeeded payment. Idempotent: one entry per payment.

    Enqueued by the ``payment_succeeded`` receiver, and called again by the sweep for any
    payment whose task never ran. Returns the entry id, or None when there is no pledge.
    """
    entry = services.pledge_record(payment_id=payment_id)
    return entry.pk if entry else None


@shared_task(name="donations.reversal_route", **RETRY)
def reversal_route(refund_id: int) -> int | None:
    """Write the reversing entry of a refund. Idempotent: one entry per refund.

    Enqueued by the ``payment_refunded`` receiver; the sweep repeats it if it never ran.
    """
    entry = services.reversal_record(refund_id=refund_id)
    return entry.pk if entry else None


@shared_task(name="donations.tranche_notify", **RETRY)
def tranche_notify(tranche_id: int) -> bool:
    """Email Kiron staff that a tranche is complete; sends at most once per tranche."""
    return services.tranche_staff_notify(tranche_id=tranche_id)


def _sweep_each(ids, record, counts: dict[str, int], key: str, what: str) -> None:
    """Run ``record`` on each id on its own: count what it wrote, log and count any failure."""
    for item_id in ids:
        try:
            if record(item_id):
                counts[key] += 1
        except Exception:
            counts["errors"] += 1
            logger.exception("Sweep could not record %s %s", what, item_id)


@shared_task(name="donations.fund_sweep")
def fund_sweep(limit: int = 500) -> dict[str, int]:
    """Route what the signal path missed (broker down, worker died). Safe to run any time.

    Records pledges of succeeded payments that have no pledge entry, reversals of refunds
    without a reversal entry, and tranche emails never sent. Each item is tried on its own;
    one failure is logged and does not stop the others. Runs every 5 minutes (celery beat).
    """
    counts = {"pledges": 0, "reversals": 0, "notices": 0, "errors": 0}
    _sweep_each(
        selectors.payments_missing_pledge(limit=limit),
        lambda pk: services.pledge_record(payment_id=pk),
        counts,
        "pledges",
        "the pledge of payment",
    )
    _sweep_each(
        selectors.refunds_missing_reversal(limit=limit),
        lambda pk: services.reversal_record(refund_id=pk),
        counts,
        "reversals",
        "the reversal of refund",
    )
    for tranche_id in selectors.tranches_not_notified():
        try:
            if services.tranche_staff_notify(tranche_id=tranche_id):
                counts["notices"] += 1
        except Exception:
            counts["errors"] += 1
            logger.exception("Sweep could not notify staff of tranche %s", tranche_id)
    if counts["pledges"] or counts["reversals"] or counts["errors"]:
        logger.warning("Fund sweep caught up: %s", counts)
    return counts


@shared_task(name="donations.fund_reconcile")
def fund_reconcile() -> list[str]:
    """Compare the fund's totals and tranches with its ledger, and the ledger with payments.

    Logs every difference at ERROR level (and notes at INFO); returns the differences.
    """
    fund = selectors.fund_get_cook4chance()
    if fund.pk is None:
        return []
    report = selectors.fund_reconcile(fund=fund)
    for line in report.notes:
        logger.info("Fund reconciliation note: %s", line)
    for line in report.differences:
        logger.error("Fund reconciliation difference: %s", line)
    return report.differences


# ---------------------------------------------------------------- the money ledger


@shared_task(name="donations.money_payment_route", **RETRY)
def money_payment_route(payment_id: int) -> int | None:
    """Write the money-ledger transfer of a succeeded payment. Idempotent: one per payment.

    Enqueued by the ``payment_succeeded`` receiver; ``money_sweep`` repeats it if it never ran.
    """
    from . import services_ledger

    transfer = services_ledger.money_payment_record(payment_id=payment_id)
    return transfer.pk if transfer else None


@shared_task(name="donations.money_refund_route", **RETRY)
def money_refund_route(refund_id: int) -> int | None:
    """Write the money-ledger transfer of a refund. Idempotent: one per refund.

    Enqueued by the ``payment_refunded`` receiver; ``money_sweep`` repeats it if it never ran.
    """
    from . import services_ledger

    transfer = services_ledger.money_refund_record(refund_id=refund_id)
    return transfer.pk if transfer else None


@shared_task(name="donations.money_sweep")
def money_sweep(limit: int = 500) -> dict[str, int]:
    """Write the money-ledger transfers the signal path missed (broker down, worker died).

    Succeeded payments without a payment transfer, refunds without a refund transfer; each
    on its own, a failure is logged and does not stop the others. Runs every 5 minutes.
    """
    from . import selectors_money, services_ledger

    counts = {"payments": 0, "refunds": 0, "errors": 0}
    _sweep_each(
        selectors_money.payments_missing_transfer(limit=limit),
        lambda pk: services_ledger.money_payment_record(payment_id=pk),
        counts,
        "payments",
        "the money transfer of payment",
    )
    _sweep_each(
        selectors_money.refunds_missing_transfer(limit=limit),
        lambda pk: services_ledger.money_refund_record(refund_id=pk),
        counts,
        "refunds",
        "the money transfer of refund",
    )
    if any(counts.values()):
        logger.warning("Money sweep caught up: %s", counts)
    return counts


@shared_task(name="donations.money_reconcile")
def money_reconcile() -> list[str]:
    """Daily: reconcile all money (imports refunds made on Stripe); logs every difference."""
    from .reconcile_money import money_reconcile as reconcile

    report = reconcile(stripe=True)
    for line in report.notes:
        logger.info("Money reconciliation note: %s", line)
    for line in report.differences:
        logger.error("Money reconciliation difference: %s", line)
    return report.differences
