"""Rate limits where a request makes something outside our database (issue 8, hardening).

One mechanism (allauth's, ``settings.ACCOUNT_RATE_LIMITS``, counted in the cache): sign-up,
the checkout's Stripe SetupIntent, the newsletter sign-up. Over a limit the answer is 429 with
a clear message, and nothing is made. The suite runs with the limits off
(``settings_test``); each test here switches on the rates it checks.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import NewsletterSubscription
from bookings import services
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Password-123"


@pytest.fixture
def rates(settings):
    """Switch on the given rates (and only those) with an empty cache."""

    def apply(**configured: str) -> None:
        settings.ACCOUNT_RATE_LIMITS = configured
        cache.clear()

    yield apply
    cache.clear()


# ---------------------------------------------------------------- checkout: Stripe SetupIntents


@pytest.fixture
def stripe_calls(monkeypatch):
    """Count the SetupIntents the view would create at Stripe (no network)."""
    made: list[str] = []

    def setup_intent_create(*, booking_reference: str) -> str:
        made.append(booking_reference)
        return f"seti_{len(made)}_secret_x"

    monkeypatch.setattr("bookings.views.stripe_gateway.setup_intent_create", setup_intent_create)
    return made


def _setup_intent(client, booking):
    return client.post(reverse("bookings:setup_intent", kwargs={"reference": booking.reference}))


def test_setup_intents_are_limited_per_booking_with_a_clear_message(client, rates, stripe_calls):
    rates(checkout_setup_intent="10/h/user,2/10m/key")
    guest = UserFactory()
    booking = services.booking_hold(event_id=EventFactory().pk, guest=guest, seats=1)
    client.force_login(guest)
    assert _setup_intent(client, booking).status_code == 200
    assert _setup_intent(client, booking).status_code == 200
    refused = _setup_intent(client, booking)
    assert refused.status_code == 429
    assert "Too many payment attempts" in refused.json()["error"]  # checkout.js shows it
    assert len(stripe_calls) == 2  # no Stripe object for the refused request


def test_setup_intents_are_limited_per_guest_across_bookings(client, rates, stripe_calls):
    rates(checkout_setup_intent="3/h/user,10/10m/key")
    guest = UserFactory()
    client.force_login(guest)
    bookings = [
        services.booking_hold(event_id=EventFactory().pk, guest=guest, seats=1) for _ in range(4)
    ]
    answers = [_setup_intent(client, booking).status_code for booking in bookings]
    assert answers == [200, 200, 200, 429]
    assert len(stripe_calls) == 3
    # Another guest is not held back by this one.
    other = UserFactory()
    client.force_login(other)
    theirs = services.booking_hold(event_id=EventFactory().pk, guest=other, seats=1)
    assert _setup_intent(client, theirs).status_code == 200


def test_without_the_limit_every_post_makes_a_setup_intent(client, settings, stripe_calls):
    """The limit tests above can fail: with the limits off nothing is refused."""
    settings.ACCOUNT_RATE_LIMITS = False
    guest = UserFactory()
    booking = services.booking_hold(event_id=EventFactory().pk, guest=guest, seats=1)
    client.force_login(guest)
    assert {_setup_intent(client, booking).status_code for _ in range(5)} == {200}
    assert len(stripe_calls) == 5


def test_the_setting_configures_the_checkout_limit():
    from django.conf import settings as django_settings

    from meetsies import settings as project_settings

    assert "checkout_setup_intent" in project_settings.ACCOUNT_RATE_LIMITS
    assert "newsletter_subscribe" in project_settings.ACCOUNT_RATE_LIMITS
    assert "signup" in project_settings.ACCOUNT_RATE_LIMITS
    assert "login_failed" in project_settings.ACCOUNT_RATE_LIMITS
    assert django_settings.ACCOUNT_RATE_LIMITS is False  # the suite's default


# ---------------------------------------------------------------- sign-up


def test_sign_ups_from_one_address_are_limited(client, rates):
    rates(signup="2/h/ip")
    for n in range(2):
        response = client.post(
            reverse("account_signup"),
            {
                "email": f"new{n}@example.org",
                "display_name": "Nour",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302
    refused = client.post(
        reverse("account_signup"),
        {
            "email": "new2@example.org",
            "display_name": "Nour",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many attempts" in html
    assert "Please wait a few minutes, then try again." in html
    assert '<header class="site-header">' in html
    assert not get_user_model().objects.filter(email="new2@example.org").exists()
    assert len(mail.outbox) == 2  # no verification email for the refused one


# ---------------------------------------------------------------- newsletter


def _subscribe(client, email: str, **extra):
    return client.post(reverse("newsletter:subscribe"), {"email": email, "consent": "on"}, **extra)


def test_newsletter_sign_ups_for_one_address_are_limited(client, rates):
    rates(newsletter_subscribe="10/h/ip,2/h/key")
    assert _subscribe(client, "ana@example.org").status_code == 302
    assert _subscribe(client, "ana@example.org").status_code == 302
    sent = len(mail.outbox)
    refused = _subscribe(client, "Ana@Example.org")
    assert refused.status_code == 429
    assert "Too many sign-ups from here or for this address." in refused.content.decode()
    assert len(mail.outbox) == sent  # no third email to that inbox


def test_newsletter_sign_ups_from_one_address_are_limited(client, rates):
    rates(newsletter_subscribe="3/h/ip,5/h/key")
    for n in range(3):
        assert _subscribe(client, f"reader{n}@example.org").status_code == 302
    assert _subscribe(client, "reader3@example.org").status_code == 429
    assert not NewsletterSubscription.objects.filter(email="reader3@example.org").exists()
    other_address = _subscribe(client, "reader3@example.org", REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 302


def test_an_invalid_newsletter_form_is_still_a_400(client, rates):
    rates(newsletter_subscribe="1/h/ip,1/h/key")
    for _ in range(3):
        assert _subscribe(client, "not-an-address").status_code == 400
