"""The Stripe webhook: signature checked on the raw body, each event processed once."""

import logging

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services, stripe_gateway
from .models import StripeEvent

logger = logging.getLogger(__name__)

# Events that move a PaymentIntent; everything else is acknowledged and ignored.
HANDLED = {"payment_intent.succeeded", "payment_intent.payment_failed"}


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
        intent = stripe_gateway.Intent.from_stripe(event.object)
    except ValueError:
        return HttpResponse("bad payload", status=400, content_type="text/plain")
    try:
        services.payment_intent_sync(
            intent=intent, stripe_event_id=event_id, stripe_event_type=event_type
        )
    except IntegrityError:
        # A concurrent delivery of the same event committed first: nothing to do.
        if StripeEvent.objects.filter(event_id=event_id).exists():
            return HttpResponse("duplicate", content_type="text/plain")
        raise
    return HttpResponse("ok", content_type="text/plain")
