"""Writes of the money ledger: every cent the platform holds, owes and pays, double-entry.

A guest payment, a refund (also a lost dispute, which bookings records as a refund), a payout
line and a returned payout line each write one ``MoneyTransfer`` with balanced ``MoneyEntry``
rows (they sum to zero) and move the stored balances of the accounts they touch, in one
transaction, under those accounts' row locks (taken in key order, so two writers never
deadlock). ``MoneyTransfer(kind, reference)`` is unique: a retry, a sweep or a duplicate
signal finds the transfer and changes nothing.

Sign convention: credits are positive. A payment of G credits the host (H), Kiron (P) and the
platform fee (F) and debits money held (−G), with G = H + P + F, so all balances sum to zero.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from bookings.models import Booking, Payment, Refund

from .models import MoneyAccount, MoneyEntry, MoneyTransfer
from .services import reversal_target_cents

logger = logging.getLogger(__name__)

HELD = "held"
KIRON = "kiron"
PLATFORM = "platform"


def host_key(host_id: int) -> str:
    return f"host:{host_id}"


def payment_transfer_reference(payment_id: int) -> str:
    return f"payment:{payment_id}"


def refund_transfer_reference(refund_id: int) -> str:
    return f"refund:{refund_id}"


def _account_spec(key: str) -> dict:
    if key.startswith("host:"):
        return {"kind": MoneyAccount.Kind.HOST, "host_id": int(key.split(":", 1)[1])}
    return {"kind": key, "host_id": None}


def accounts_lock(*, keys: list[str]) -> dict[str, MoneyAccount]:
    """Lock (creating if missing) the accounts with these keys, in key order; by key.

    Call inside ``transaction.atomic``. Sorted order everywhere means two transfers touching
    the same accounts queue up instead of deadlocking.
    """
    locked: dict[str, MoneyAccount] = {}
    for key in sorted(set(keys)):
        account = MoneyAccount.objects.select_for_update().filter(key=key).first()
        if account is None:
            try:
                with transaction.atomic():
                    MoneyAccount.objects.create(key=key, **_account_spec(key))
            except IntegrityError:
                pass  # created by a concurrent writer meanwhile
            account = MoneyAccount.objects.select_for_update().get(key=key)
        locked[key] = account
    return locked


def transfer_write(
    *,
    kind: str,
    reference: str,
    legs: dict[str, int],
    booking_id: int | None = None,
    memo: str = "",
) -> MoneyTransfer:
    """Write one balanced transfer (``legs``: account key → signed cents) unless it exists.

    Zero legs are dropped; the legs must sum to zero (``ValueError`` otherwise, nothing
    written). Locks the accounts, then checks for an existing transfer of this kind and
    reference under the locks: the one found is returned unchanged. Call inside
    ``transaction.atomic``.
    """
    legs = {key: amount for key, amount in legs.items() if amount}
    if sum(legs.values()) != 0:
        raise ValueError(f"unbalanced transfer {kind} {reference}: {legs}")
    accounts = accounts_lock(keys=list(legs))
    existing = MoneyTransfer.objects.filter(kind=kind, reference=reference).first()
    if existing is not None:
        return existing
    transfer = MoneyTransfer.objects.create(
        kind=kind, reference=reference, booking_id=booking_id, memo=memo[:200]
    )
    MoneyEntry.objects.bulk_create(
        [
            MoneyEntry(
                transfer=transfer,
                account=accounts[key],
                amount_cents=amount,
                booking_id=booking_id,
            )
            for key, amount in sorted(legs.items())
        ]
    )
    for key, amount in legs.items():
        MoneyAccount.objects.filter(pk=accounts[key].pk).update(
            balance_cents=F("balance_cents") + amount
        )
    return transfer


def payment_legs(*, booking: Booking, paid_cents: int) -> dict[str, int]:
    """The entries of a guest payment: held −G; host +H, Kiron +P, platform +F (frozen split)."""
    return {
        HELD: -paid_cents,
        host_key(booking.event.host_id): booking.host_cents,
        KIRON: booking.pledge_cents,
        PLATFORM: paid_cents - booking.host_cents - booking.pledge_cents,
    }


def refund_targets(*, booking: Booking, paid_cents: int, refunded_cents: int) -> dict[str, int]:
    """How much of each share is reversed once ``refunded_cents`` of the payment went back.

    Kiron's and the host's shares follow the fund's rule (``reversal_target_cents``:
    proportional, whole cents rounded down, exact on a full refund); the platform's fee takes
    the remainder, so the shares always add up to the refund. On a partial refund the platform
    therefore bears the rounding (at most a cent per share); on a full refund every share is
    reversed exactly.
    """
    refunded_cents = min(refunded_cents, paid_cents)
    kiron = reversal_target_cents(
        pledge_cents=booking.pledge_cents, paid_cents=paid_cents, refunded_cents=refunded_cents
    )
    host = reversal_target_cents(
        pledge_cents=booking.host_cents, paid_cents=paid_cents, refunded_cents=refunded_cents
    )
    return {
        host_key(booking.event.host_id): host,
        KIRON: kiron,
        PLATFORM: refunded_cents - kiron - host,
    }


def _payment_transfer_write(*, payment: Payment) -> MoneyTransfer | None:
    if payment.status != Payment.Status.SUCCEEDED or payment.amount_cents <= 0:
        return None
    return transfer_write(
        kind=MoneyTransfer.Kind.PAYMENT,
        reference=payment_transfer_reference(payment.pk),
        legs=payment_legs(booking=payment.booking, paid_cents=payment.amount_cents),
        booking_id=payment.booking_id,
        memo=f"booking {payment.booking.reference}",
    )


@transaction.atomic
def money_payment_record(*, payment_id: int) -> MoneyTransfer | None:
    """Record a succeeded payment on the money ledger, exactly once.

    Idempotent (retries, the sweep, concurrent workers: one transfer). Payments that have not
    succeeded or are free write nothing and return ``None``. Takes the accounts' row locks.
    """
    payment = Payment.objects.select_related("booking__event").get(pk=payment_id)
    return _payment_transfer_write(payment=payment)


def _refund_transfer_write(*, refund: Refund, payment: Payment) -> MoneyTransfer:
    booking = payment.booking
    refunded_so_far = (
        Refund.objects.filter(payment=payment, pk__lte=refund.pk).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    previous = refunded_so_far - refund.amount_cents
    now = refund_targets(
        booking=booking, paid_cents=payment.amount_cents, refunded_cents=refunded_so_far
    )
    before = refund_targets(
        booking=booking, paid_cents=payment.amount_cents, refunded_cents=previous
    )
    legs = {key: before[key] - now[key] for key in now}
    legs[HELD] = refund.amount_cents
    return transfer_write(
        kind=MoneyTransfer.Kind.REFUND,
        reference=refund_transfer_reference(refund.pk),
        legs=legs,
        booking_id=booking.pk,
        memo=f"{refund.get_reason_display()} · {refund.stripe_refund_id}",
    )


@transaction.atomic
def money_refund_record(*, refund_id: int) -> MoneyTransfer | None:
    """Record a refund (or a lost dispute) on the money ledger, exactly once.

    Each share is reversed by the difference between its target after this refund and before
    it (``refund_targets`` over the payment's refunds in id order), so a series of partial
    refunds reverses exactly what one refund of their total would. The payment's own transfer
    and any earlier refund of it still missing are written first, so the ledger never reverses
    what it has not counted. Idempotent; takes the accounts' row locks.
    """
    refund = Refund.objects.select_related("payment__booking__event").get(pk=refund_id)
    payment = refund.payment
    if _payment_transfer_write(payment=payment) is None:
        return None
    transfer = None
    for earlier in Refund.objects.filter(payment=payment, pk__lte=refund.pk).order_by("pk"):
        earlier.payment = payment
        transfer = _refund_transfer_write(refund=earlier, payment=payment)
    return transfer
