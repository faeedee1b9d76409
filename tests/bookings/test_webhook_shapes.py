"""Issue 8.6: whatever shape a signed body has, the webhook answers 400 or 200, never 500.

Stripe signs what it sends, but the signature says nothing about shape: a JSON array, a string,
an event whose ``data.object`` is a list or whose ``status`` is an object must not crash it.
"""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, Payment, StripeEvent

from .conftest import intent_event, signed_webhook

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

EVENT_TYPES = st.sampled_from(
    ["payment_intent.succeeded", "payment_intent.payment_failed", "customer.created"]
)


@st.composite
def event_like(draw):
    """A real-looking event with any of its parts replaced by any JSON value."""
    event = intent_event("pi_shape", event_id=f"evt_{draw(st.integers(0, 10**9))}")
    event["type"] = draw(EVENT_TYPES)
    intent = event["data"]["object"]
    where = draw(st.sampled_from(["event", "data", "intent"]))
    target = {"event": event, "data": event["data"], "intent": intent}[where]
    key = draw(st.sampled_from(sorted(target)))
    target[key] = draw(json_values)
    return event


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[1,2,3]", '"text"', "42", "null", "true", "{}"])
def test_signed_bodies_that_are_not_events_get_400(client, body):
    assert signed_webhook(client, body).status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_signed_event_with_a_list_for_data_object_gets_400(client):
    event = intent_event("pi_x", event_id="evt_list")
    event["data"]["object"] = [1, 2]
    assert signed_webhook(client, event).status_code == 400


@pytest.mark.django_db
def test_signed_event_with_an_object_for_its_type_gets_400(client):
    event = intent_event("pi_x", event_id="evt_type")
    event["type"] = {"a": 1}
    assert signed_webhook(client, event).status_code == 400


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values)
def test_any_signed_json_value_gets_400_or_200(body):
    response = signed_webhook(Client(raise_request_exception=False), json.dumps(body))
    assert response.status_code in (200, 400)


@pytest.mark.django_db
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=event_like())
def test_any_signed_event_shape_gets_400_or_200_and_never_breaks_a_booking(
    event, held_booking_with_intent
):
    booking = held_booking_with_intent
    response = signed_webhook(Client(raise_request_exception=False), event)
    assert response.status_code in (200, 400)
    booking.refresh_from_db()
    assert booking.status in (Booking.Status.HELD, Booking.Status.CONFIRMED)
    assert booking.payment.status in Payment.Status.values


@pytest.fixture
def held_booking_with_intent(event, guest):
    from bookings import services

    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=1)
    Payment.objects.create(
        booking=booking,
        amount_cents=booking.gross_cents,
        stripe_payment_intent_id="pi_shape",
        status=Payment.Status.PROCESSING,
    )
    return booking
