"""Helpers for the bookings tests: cards on localstripe, signed webhooks."""

import json
import time

import pytest
import requests
import stripe
from django.conf import settings
from django.urls import reverse

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002760003184"


def make_payment_method(base: str, number: str) -> str:
    """A card payment method on localstripe, as Stripe.js's confirmCardSetup would give."""
    response = requests.post(
        f"{base}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
        auth=(settings.STRIPE_SECRET_KEY, ""),
        timeout=5,
    )
    response.raise_for_status()
    return response.json()["id"]


def stripe_get(base: str, path: str) -> dict:
    response = requests.get(f"{base}{path}", auth=(settings.STRIPE_SECRET_KEY, ""), timeout=5)
    response.raise_for_status()
    return response.json()


def authenticate_3ds(base: str, payment_intent_id: str, *, success: bool) -> dict:
    """What localstripe's fake Stripe.js does when the guest completes or fails 3-D Secure."""
    intent = stripe_get(base, f"/v1/payment_intents/{payment_intent_id}")
    response = requests.post(
        f"{base}/v1/payment_intents/{payment_intent_id}/_authenticate",
        params={"success": "true" if success else "false"},
        json={"client_secret": intent["client_secret"], "key": settings.STRIPE_PUBLISHABLE_KEY},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.1):
    """Poll until ``predicate()`` is truthy (webhooks arrive about a second after the action)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def signed_webhook(client, payload, *, secret=None, timestamp=None, header=None):
    """POST ``payload`` (dict or raw str) to the webhook, signed like Stripe does."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    if header is None:
        header = stripe.WebhookSignature.generate_signature_header(
            body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
        )
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return client.post(
        reverse("stripe_webhook"), data=body, content_type="application/json", **extra
    )


def intent_event(
    intent_id: str,
    *,
    status="succeeded",
    amount=2500,
    event_id="evt_1",
    type="payment_intent.succeeded",
    reference="",
    error=None,
) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": type,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "status": status,
                "amount": amount,
                "currency": "eur",
                "client_secret": f"{intent_id}_secret_x",
                "metadata": {"booking": reference},
                "last_payment_error": error,
            }
        },
    }


@pytest.fixture
def guest(db):
    from tests.factories import UserFactory

    return UserFactory(email="guest@example.org", first_name="Gabi")


@pytest.fixture
def webhooks_to_live_server(localstripe, localstripe_register_webhook, live_server):
    """Make localstripe deliver to this test's live server, and stop it afterwards.

    Registrations outlive a test in localstripe's memory; pointing it at a closed port after the
    test keeps late deliveries (about a second after each action) out of the next test.
    """
    localstripe_register_webhook(f"{live_server.url}/stripe/webhook/")
    yield live_server
    requests.post(
        f"{localstripe}/_config/webhooks/meetsies",
        data={"url": "http://127.0.0.1:9/", "secret": "whsec_off"},
        timeout=5,
    ).raise_for_status()
