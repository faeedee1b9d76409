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

import json
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)

# Every status a PaymentIntent can have (Stripe's list; the Payment model mirrors them).
INTENT_STATUSES = frozenset(
    {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    }
)

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
        """Read a PaymentIntent (a Stripe object or a webhook's dict), checking every field's type.

        Raises ``ValueError`` for a shape Stripe never sends (a webhook body is only as
        well-formed as whoever signed it).
        """
        data = obj.to_dict() if hasattr(obj, "to_dict") else obj
        if not isinstance(data, dict):
            raise ValueError("a PaymentIntent must be an object")
        error = data.get("last_payment_error") or {}
        message = error.get("message") if isinstance(error, dict) else None
        metadata = data.get("metadata") or {}
        amount = data.get("amount") or 0
        status = data.get("status") or ""
        intent_id = data.get("id")
        if (
            not isinstance(intent_id, str)
            or not intent_id.startswith("pi_")
            or len(intent_id) > 255
        ):
            raise ValueError("a PaymentIntent needs an id 'pi_…'")
        if not isinstance(status, str) or status not in INTENT_STATUSES:
            raise ValueError(f"unknown PaymentIntent status {status!r}")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ValueError("a PaymentIntent amount is a whole number of cents")
        if not isinstance(metadata, dict):
            raise ValueError("PaymentIntent metadata must be an object")
        secret = data.get("client_secret")
        return cls(
            id=intent_id,
            status=status,
            amount=amount,
            client_secret=secret if isinstance(secret, str) else "",
            last_error=(message if isinstance(message, str) else "")[:500],
            metadata={str(key): str(value) for key, value in metadata.items()},
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


@dataclass(frozen=True)
class RefundInfo:
    """A refund as Stripe reports it."""

    id: str
    amount: int
    status: str


@dataclass(frozen=True)
class ChargeInfo:
    """What ``charge.refunded`` tells: the charge's PaymentIntent and its refunds."""

    id: str
    payment_intent_id: str
    amount_refunded: int
    refunds: tuple[RefundInfo, ...]

    @classmethod
    def from_stripe(cls, obj: Any) -> ChargeInfo:
        """Read a Charge; ``ValueError`` for a shape Stripe never sends."""
        try:
            return cls._read(obj)
        except (AttributeError, KeyError, TypeError) as error:
            raise ValueError(f"not a charge: {error}") from None

    @classmethod
    def _read(cls, obj: Any) -> ChargeInfo:
        data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
        refunds = (data.get("refunds") or {}).get("data") or []
        if not isinstance(data["id"], str) or not isinstance(data.get("payment_intent"), str):
            raise TypeError("charge id and payment_intent must be strings")
        return cls(
            id=data["id"],
            payment_intent_id=data.get("payment_intent") or "",
            amount_refunded=int(data.get("amount_refunded") or 0),
            refunds=tuple(
                RefundInfo(
                    id=item["id"], amount=int(item["amount"]), status=item.get("status") or ""
                )
                for item in refunds
            ),
        )


@dataclass(frozen=True)
class DisputeInfo:
    """What ``charge.dispute.*`` tells: the dispute, its PaymentIntent, amount and status."""

    id: str
    payment_intent_id: str
    amount: int
    reason: str
    status: str

    @classmethod
    def from_stripe(cls, obj: Any) -> DisputeInfo:
        """Read a Dispute; ``ValueError`` for a shape Stripe never sends."""
        try:
            return cls._read(obj)
        except (AttributeError, KeyError, TypeError) as error:
            raise ValueError(f"not a dispute: {error}") from None

    @classmethod
    def _read(cls, obj: Any) -> DisputeInfo:
        data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
        if not isinstance(data["id"], str) or not isinstance(data.get("payment_intent"), str):
            raise TypeError("dispute id and payment_intent must be strings")
        if isinstance(data["amount"], bool) or not isinstance(data["amount"], int):
            raise TypeError("a dispute amount is a whole number of cents")
        return cls(
            id=data["id"],
            payment_intent_id=data.get("payment_intent") or "",
            amount=int(data["amount"]),
            reason=(data.get("reason") or "")[:100],
            status=data.get("status") or "",
        )


def refunds_list(*, payment_intent_id: str) -> list[RefundInfo]:
    """Every refund Stripe holds for a PaymentIntent (first 100; more is not a real case)."""
    page = client().v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    return [
        RefundInfo(id=item.id, amount=int(item.amount), status=item.status or "")
        for item in page.data
    ]


@dataclass(frozen=True)
class WebhookEvent:
    """A signed webhook event whose outer shape was checked: ids and type are strings."""

    id: str
    type: str
    object: dict[str, Any]


def webhook_event_construct(*, payload: bytes, signature_header: str | None) -> WebhookEvent:
    """Verify a webhook's signature on the raw body, then parse and check its shape.

    Raises ``stripe.SignatureVerificationError`` for a missing/bad signature or an old timestamp
    and ``ValueError`` for a body that is not JSON or not an event (an array, a string, an event
    whose ``id``/``type`` are not strings or whose ``data.object`` is not an object). The
    signature proves who sent the body, never its shape.
    """
    stripe.WebhookSignature.verify_header(
        payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload,
        signature_header or "",
        settings.STRIPE_WEBHOOK_SECRET,
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
    )
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("a webhook body must be a JSON object")
    event_id, event_type = data.get("id"), data.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255:
        raise ValueError("a webhook event needs a string 'id'")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        raise ValueError("a webhook event needs a string 'type'")
    inner = data.get("data")
    obj = inner.get("object") if isinstance(inner, dict) else None
    if not isinstance(obj, dict):
        raise ValueError("a webhook event needs an object in 'data.object'")
    return WebhookEvent(id=event_id, type=event_type, object=obj)


SignatureVerificationError = stripe.SignatureVerificationError
