"""The Stripe webhook: signature checked on the raw body, each event processed once."""

import logging

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services, services_mirror, stripe_gateway
from .models import StripeEvent

logger = logging.getLogger(__name__)

# Events that move a PaymentIntent, a refund or a dispute; everything else is acknowledged
# and ignored.
INTENT_EVENTS = {"payment_intent.succeeded", "payment_intent.payment_failed"}
REFUND_EVENTS = {"charge.refunded"}
DISPUTE_EVENTS = {"charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"}
HANDLED = INTENT_EVENTS | REFUND_EVENTS | DISPUTE_EVENTS


def _effect(event, event_id: str, event_type: str):
    """Parse a handled event (``ValueError`` for a shape Stripe never sends) and return the
    write to run: one transaction with its StripeEvent row."""
    obj = event.object
    stored = {"stripe_event_id": event_id, "stripe_event_type": event_type}
    if event_type in REFUND_EVENTS:
        charge = stripe_gateway.ChargeInfo.from_stripe(obj)
        return lambda: services_mirror.payment_refunds_import(
            payment_intent_id=charge.payment_intent_id, refunds=charge.refunds, **stored
        )
    if event_type in DISPUTE_EVENTS:
        dispute = stripe_gateway.DisputeInfo.from_stripe(obj)
        return lambda: services_mirror.dispute_sync(dispute=dispute, **stored)
    intent = stripe_gateway.Intent.from_stripe(obj)
    return lambda: services.payment_intent_sync(intent=intent, **stored)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Answer 400 to anything not signed by Stripe (or too old, or not JSON), 200 otherwise.

    The StripeEvent row is written in the same transaction as the event's effect; a duplicate
    delivery (even a concurrent one) hits the unique event id and gets 200 with no change.
    """
    try:
        event = stripe_gateway.webhook_event_construct(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature")
        )
    except stripe_gateway.SignatureVerificationError:
        return HttpResponse("bad signature", status=400, content_type="text/plain")
    except ValueError:
        return HttpResponse("bad payload", status=400, content_type="text/plain")

    event_id, event_type = event.id, event.type
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return HttpResponse("duplicate", content_type="text/plain")
    if event_type not in HANDLED:
        services.stripe_event_record_ignored(event_id=event_id, event_type=event_type)
        return HttpResponse("ignored", content_type="text/plain")
    try:
        effect = _effect(event, event_id, event_type)
    except ValueError:
        return HttpResponse("bad payload", status=400, content_type="text/plain")
    try:
        effect()
    except IntegrityError:
        # A concurrent delivery of the same event committed first: nothing to do.
        if StripeEvent.objects.filter(event_id=event_id).exists():
            return HttpResponse("duplicate", content_type="text/plain")
        raise
    return HttpResponse("ok", content_type="text/plain")
