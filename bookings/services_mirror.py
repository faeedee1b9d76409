"""Stripe's side, mirrored: refunds made on Stripe (dashboard) and disputes (chargebacks).

Each write locks booking, then payment (the order used everywhere), records what Stripe says
once (unique Stripe ids; with a webhook, the StripeEvent row in the same transaction) and,
after commit, sends ``payment_refunded`` for every new refund so the donations app reverses
its shares. A lost dispute is recorded as a refund (``Refund.Reason.DISPUTE_LOST``, with the
dispute's id): the bank took the money back, and every share is reversed like a refund.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import Actor

from . import signals, stripe_gateway
from .models import Booking, Dispute, Payment, Refund, StripeEvent
from .transitions import booking_transition

logger = logging.getLogger(__name__)


def _stripe_event_store(*, stripe_event_id: str, stripe_event_type: str, intent_id: str) -> None:
    if stripe_event_id:
        StripeEvent.objects.create(
            event_id=stripe_event_id, type=stripe_event_type, payment_intent_id=intent_id
        )


def _payment_lock(*, payment_intent_id: str) -> Payment | None:
    """Lock the booking, then the payment of a PaymentIntent; None if no payment uses it."""
    booking_id = (
        Payment.objects.filter(stripe_payment_intent_id=payment_intent_id)
        .values_list("booking_id", flat=True)
        .first()
    )
    if booking_id is None or not payment_intent_id:
        logger.info("Stripe mentions PaymentIntent %s, which no payment uses", payment_intent_id)
        return None
    Booking.objects.select_for_update().only("pk").get(pk=booking_id)
    return Payment.objects.select_for_update().get(booking_id=booking_id)


def _refund_write_locked(
    *, payment: Payment, stripe_refund_id: str, amount_cents: int, reason: str, note: str = ""
) -> Refund | None:
    """Record a refund Stripe made; call holding the payment lock. Never past the amount paid."""
    if Refund.objects.filter(stripe_refund_id=stripe_refund_id).exists():
        return None
    amount = min(amount_cents, payment.amount_cents - payment.refunded_cents)
    if amount <= 0:
        logger.error(
            "Stripe refund %s of %s cents exceeds what is left of payment %s; not recorded",
            stripe_refund_id,
            amount_cents,
            payment.pk,
        )
        return None
    if amount < amount_cents:
        logger.error(
            "Stripe refund %s of %s cents recorded as %s (all that was left of payment %s)",
            stripe_refund_id,
            amount_cents,
            amount,
            payment.pk,
        )
    refund = Refund.objects.create(
        payment=payment,
        stripe_refund_id=stripe_refund_id,
        amount_cents=amount,
        reason=reason,
        note=note[:200],
    )
    Payment.objects.filter(pk=payment.pk).update(refunded_cents=F("refunded_cents") + amount)
    payment.refunded_cents += amount
    booking = Booking.objects.get(pk=payment.booking_id)  # locked by the caller
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
        booking_transition(
            booking=booking,
            to=Booking.Status.REFUNDED,
            actor=Actor.stripe(),
            reason=f"{reason} {stripe_refund_id}",
        )
    refund_id = refund.pk
    transaction.on_commit(lambda: signals.payment_refunded.send(sender=Refund, refund_id=refund_id))
    return refund


@transaction.atomic
def payment_refunds_import(
    *,
    payment_intent_id: str,
    refunds: list[stripe_gateway.RefundInfo] | tuple[stripe_gateway.RefundInfo, ...],
    stripe_event_id: str = "",
    stripe_event_type: str = "",
) -> list[Refund]:
    """Record the refunds Stripe holds for a PaymentIntent that our rows lack.

    Used by the ``charge.refunded`` webhook and by the reconciliation (refunds made in the
    Stripe dashboard or directly on its API). Failed and cancelled refunds are skipped.
    Idempotent: a refund already recorded (by its Stripe id) changes nothing. Returns the new
    refunds.
    """
    _stripe_event_store(
        stripe_event_id=stripe_event_id,
        stripe_event_type=stripe_event_type,
        intent_id=payment_intent_id,
    )
    payment = _payment_lock(payment_intent_id=payment_intent_id)
    if payment is None or payment.status != Payment.Status.SUCCEEDED:
        return []
    created = []
    for info in refunds:
        if info.status in ("failed", "canceled"):
            continue
        refund = _refund_write_locked(
            payment=payment,
            stripe_refund_id=info.id,
            amount_cents=info.amount,
            reason=Refund.Reason.STRIPE,
        )
        if refund is not None:
            created.append(refund)
    return created


_DISPUTE_STATUS = {
    "won": Dispute.Status.WON,
    "warning_closed": Dispute.Status.WON,
    "lost": Dispute.Status.LOST,
}


@transaction.atomic
def dispute_sync(
    *, dispute: stripe_gateway.DisputeInfo, stripe_event_id: str = "", stripe_event_type: str = ""
) -> Dispute | None:
    """Mirror a dispute: open it, or close it won or lost (forward only).

    While open, the donations app holds the host's share of the booking back from payouts.
    Lost: a refund of the disputed amount (capped at what is left) is recorded with reason
    ``dispute_lost``, so every share is reversed like a refund. Returns None for a dispute on
    a PaymentIntent no payment uses.
    """
    _stripe_event_store(
        stripe_event_id=stripe_event_id,
        stripe_event_type=stripe_event_type,
        intent_id=dispute.payment_intent_id,
    )
    payment = _payment_lock(payment_intent_id=dispute.payment_intent_id)
    if payment is None:
        return None
    row, _created = Dispute.objects.select_for_update().get_or_create(
        stripe_dispute_id=dispute.id,
        defaults={"payment": payment, "amount_cents": dispute.amount, "reason": dispute.reason},
    )
    target = _DISPUTE_STATUS.get(dispute.status, Dispute.Status.OPEN)
    if row.status != Dispute.Status.OPEN or target == Dispute.Status.OPEN:
        return row  # already closed (closing is final), or still open
    row.status = target
    row.closed_at = timezone.now()
    row.save(update_fields=["status", "closed_at"])
    if target == Dispute.Status.LOST:
        _refund_write_locked(
            payment=payment,
            stripe_refund_id=dispute.id,
            amount_cents=dispute.amount,
            reason=Refund.Reason.DISPUTE_LOST,
            note=dispute.reason,
        )
    return row
