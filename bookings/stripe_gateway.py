"""The one module that talks to Stripe (or to localstripe, its offline stand-in).

Every function reads the settings when it is called, so tests can point it at a localstripe
started for the session. Only parameters that both real Stripe and localstripe accept are sent
(localstripe answers 400 to anything it does not know, see docs/STRIPE.md):

- PaymentIntents are created with ``payment_method`` and ``payment_method_types=["card"]``
  (no ``automatic_payment_methods``, so real Stripe needs no ``return_url``), then confirmed
  in a second call. Two calls rather than ``confirm=True`` because localstripe answers a declined
  card at creation with a 402 that does not carry the PaymentIntent's id; confirming separately
  lets us store the id first and mirror the failed intent afterwards.
- Refunds carry no ``reason`` (localstripe rejects it); the caller enforces the refundable amount.

Callers must not hold a database transaction open while calling these functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)

# Re-exported so that callers catch gateway errors without importing ``stripe`` themselves.
StripeError = stripe.StripeError


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent: enough to mirror its state."""

    id: str
    status: str
    amount: int
    client_secret: str
    last_error: str
    metadata: dict[str, str]

    @classmethod
    def from_stripe(cls, obj: Any) -> Intent:
        data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
        error = data.get("last_payment_error") or {}
        return cls(
            id=data["id"],
            status=data.get("status") or "",
            amount=int(data.get("amount") or 0),
            client_secret=data.get("client_secret") or "",
            last_error=(error.get("message") or "")[:500],
            metadata=dict(data.get("metadata") or {}),
        )


def client() -> stripe.StripeClient:
    """A StripeClient built from the current settings (localstripe when STRIPE_API_BASE is set)."""
    options: dict[str, Any] = {"max_network_retries": getattr(settings, "STRIPE_MAX_RETRIES", 2)}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **options)


def setup_intent_create(*, booking_reference: str) -> str:
    """Create a SetupIntent for the card element; returns its client secret for Stripe.js."""
    intent = client().v1.setup_intents.create(
        params={"payment_method_types": ["card"], "metadata": {"booking": booking_reference}}
    )
    return intent.client_secret


def payment_intent_create(
    *, amount_cents: int, payment_method_id: str, booking_reference: str, idempotency_key: str
) -> Intent:
    """Create (not yet confirm) a PaymentIntent in euros for a booking, with the card attached.

    ``idempotency_key`` must be deterministic for one payment attempt so that a double submit
    against real Stripe returns the same intent (localstripe ignores the key).
    """
    intent = client().v1.payment_intents.create(
        params={
            "amount": amount_cents,
            "currency": "eur",
            "payment_method": payment_method_id,
            "payment_method_types": ["card"],
            "metadata": {"booking": booking_reference},
        },
        options={"idempotency_key": idempotency_key},
    )
    return Intent.from_stripe(intent)


def payment_intent_confirm(*, payment_intent_id: str) -> Intent:
    """Confirm a PaymentIntent; a declined card is not an exception here.

    Returns the intent as Stripe sees it after the attempt (re-fetched when Stripe answered with a
    card error), with ``last_error`` set to the bank's message.
    """
    try:
        intent = client().v1.payment_intents.confirm(payment_intent_id)
    except stripe.CardError as exc:
        fetched = payment_intent_retrieve(payment_intent_id=payment_intent_id)
        message = (exc.user_message or str(exc.error.message if exc.error else "") or "")[:500]
        return Intent(
            id=fetched.id,
            status=fetched.status,
            amount=fetched.amount,
            client_secret=fetched.client_secret,
            last_error=fetched.last_error or message,
            metadata=fetched.metadata,
        )
    return Intent.from_stripe(intent)


def payment_intent_retrieve(*, payment_intent_id: str) -> Intent:
    """The PaymentIntent as Stripe sees it now."""
    return Intent.from_stripe(client().v1.payment_intents.retrieve(payment_intent_id))


def payment_intent_cancel(*, payment_intent_id: str) -> Intent | None:
    """Cancel an abandoned PaymentIntent; returns None when Stripe refuses (e.g. it succeeded)."""
    try:
        return Intent.from_stripe(client().v1.payment_intents.cancel(payment_intent_id))
    except stripe.InvalidRequestError:
        logger.info("PaymentIntent %s could not be cancelled", payment_intent_id)
        return None


def refund_create(*, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
    """Refund ``amount_cents`` of a PaymentIntent; returns the Stripe refund id.

    The caller guarantees ``amount_cents`` never exceeds what is still refundable.
    """
    refund = client().v1.refunds.create(
        params={"payment_intent": payment_intent_id, "amount": amount_cents},
        options={"idempotency_key": idempotency_key},
    )
    return refund.id


def webhook_event_construct(*, payload: bytes, signature_header: str | None) -> Any:
    """Verify a webhook's signature on the raw body and parse it.

    Raises ``stripe.SignatureVerificationError`` for a missing/bad signature or an old timestamp
    and ``ValueError`` for a body that is not JSON.
    """
    return stripe.Webhook.construct_event(
        payload,
        signature_header,
        settings.STRIPE_WEBHOOK_SECRET,
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
    )


SignatureVerificationError = stripe.SignatureVerificationError
