"""Newsletter: consent, double opt-in, one-click unsubscribe, and no address enumeration."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.models import NewsletterSubscription
from accounts.newsletter_services import (
    CONFIRM_MAX_AGE,
    PRIVACY_POLICY_VERSION,
    newsletter_confirm,
    newsletter_confirm_token,
    newsletter_issue_send,
    newsletter_message_build,
    newsletter_subscribe,
    newsletter_unsubscribe_token,
)

Status = NewsletterSubscription.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def subscribe_url(language: str = "en") -> str:
    with override(language):
        return reverse("newsletter:subscribe")


def post_subscribe(client, email="ana@example.org", consent=True, language="en", **extra):
    data = {"email": email}
    if consent:
        data["consent"] = "on"
    return client.post(subscribe_url(language), data, **extra)


def link_in(message, name: str) -> str:
    match = re.search(rf"http://\S+/newsletter/{name}/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_signup_stores_pending_consent_and_emails_a_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_subscribe(client, email="Ana@Example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check_inbox")
    subscription = NewsletterSubscription.objects.get()
    assert subscription.email == "ana@example.org"
    assert subscription.status == Status.PENDING
    assert subscription.consent_given_at >= before
    assert subscription.consent_policy_version == PRIVACY_POLICY_VERSION
    assert subscription.language == "en"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert "/en/newsletter/confirm/" in mail.outbox[0].body


def test_clicking_the_confirmation_link_and_the_button_confirms(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_subscribe(client)
    confirm_path = path_of(link_in(mail.outbox[0], "confirm"))

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert (
        NewsletterSubscription.objects.get().status == Status.PENDING
    )  # GET alone confirms nothing

    response = client.post(confirm_path)
    assert response.status_code == 200
    assert "You are subscribed" in response.content.decode()
    subscription = NewsletterSubscription.objects.get()
    assert subscription.status == Status.CONFIRMED
    assert subscription.confirmed_at is not None


def test_missing_consent_is_a_field_error_and_stores_nothing(client):
    response = post_subscribe(client, consent=False)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick the box to agree" in html
    assert 'aria-invalid="true"' in html
    assert not NewsletterSubscription.objects.exists()
    assert mail.outbox == []


def test_invalid_email_is_a_field_error(client):
    response = post_subscribe(client, email="not-an-address")

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not NewsletterSubscription.objects.exists()


def test_form_shows_consent_linked_to_privacy_policy(client):
    html = client.get(subscribe_url()).content.decode()
    assert f'href="{reverse("privacy")}"' in html
    assert 'type="checkbox"' in html
    assert "checked" not in html.split('name="consent"')[1].split(">")[0]  # never pre-ticked


def test_known_and_unknown_addresses_get_the_same_response(
    client, django_capture_on_commit_callbacks
):
    newsletter_subscribe(email="known@example.org", language="en")
    subscription = NewsletterSubscription.objects.get(email="known@example.org")
    newsletter_confirm(token=newsletter_confirm_token(subscription=subscription))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        known = post_subscribe(client, email="known@example.org")
        unknown = post_subscribe(client, email="new@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert without_csrf(client.get(known["Location"])) == without_csrf(
        client.get(unknown["Location"])
    )
    # The confirmed address is not duplicated, not reset and not emailed again.
    assert NewsletterSubscription.objects.filter(email="known@example.org").count() == 1
    assert NewsletterSubscription.objects.get(email="known@example.org").status == Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def test_signing_up_twice_while_pending_keeps_one_row_and_does_not_flood_the_inbox(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_subscribe(client)
        post_subscribe(client)

    assert NewsletterSubscription.objects.count() == 1
    assert len(mail.outbox) == 1


def test_confirmation_link_expires(django_capture_on_commit_callbacks):
    newsletter_subscribe(email="late@example.org", language="en")
    subscription = NewsletterSubscription.objects.get()
    token = newsletter_confirm_token(subscription=subscription)

    later = timezone.now() + CONFIRM_MAX_AGE + timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.core.signing.time.time", lambda: later.timestamp())
        with pytest.raises(ValidationError) as error:
            newsletter_confirm(token=token)
    assert error.value.code == "expired"
    assert NewsletterSubscription.objects.get().status == Status.PENDING


def test_tampered_confirmation_link_is_rejected(client):
    newsletter_subscribe(email="ana@example.org", language="en")
    subscription = NewsletterSubscription.objects.get()
    token = newsletter_confirm_token(subscription=subscription)
    forged = signing.dumps({"id": subscription.pk, "e": "ana@example.org"}, salt="other")

    for bad in (token[:-2] + "xx", forged):
        response = client.post(reverse("newsletter:confirm", kwargs={"token": bad}))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert NewsletterSubscription.objects.get().status == Status.PENDING


def test_unsubscribe_token_cannot_confirm(client):
    newsletter_subscribe(email="ana@example.org", language="en")
    subscription = NewsletterSubscription.objects.get()
    token = newsletter_unsubscribe_token(subscription=subscription)

    response = client.post(reverse("newsletter:confirm", kwargs={"token": token}))

    assert response.status_code == 400
    assert NewsletterSubscription.objects.get().status == Status.PENDING


def confirmed(email="ana@example.org", language="en") -> NewsletterSubscription:
    newsletter_subscribe(email=email, language=language)
    subscription = NewsletterSubscription.objects.get(email=email)
    return newsletter_confirm(token=newsletter_confirm_token(subscription=subscription))


def test_every_newsletter_email_has_one_click_unsubscribe_link_and_headers():
    subscription = confirmed()

    message = newsletter_message_build(
        subscription=subscription, subject="December dinners", body="Twelve new dinners."
    )

    unsubscribe_url = link_in(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert unsubscribe_url in html
    # The headers survive into the message a mail server receives.
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_issue_goes_only_to_confirmed_subscribers_in_their_language():
    confirmed("en@example.org", "en")
    confirmed("fr@example.org", "fr")
    newsletter_subscribe(email="pending@example.org", language="en")
    mail.outbox.clear()

    sent = newsletter_issue_send(subject="News", body="Hello")

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["en@example.org", "fr@example.org"]
    french = next(m for m in mail.outbox if m.to == ["fr@example.org"])
    assert "/fr/newsletter/unsubscribe/" in french.extra_headers["List-Unsubscribe"]


def test_opening_the_unsubscribe_link_unsubscribes_at_once(client):
    subscription = confirmed()
    message = newsletter_message_build(subscription=subscription, subject="S", body="B")

    response = client.get(path_of(link_in(message, "unsubscribe")))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    assert subscription.unsubscribed_at is not None


def test_rfc8058_one_click_post_unsubscribes_without_csrf_token():
    from django.test import Client

    subscription = confirmed()
    message = newsletter_message_build(subscription=subscription, subject="S", body="B")
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(path_of(url), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED


def test_unsubscribed_person_gets_no_issue_and_can_subscribe_again_with_new_consent(
    client, django_capture_on_commit_callbacks
):
    subscription = confirmed()
    client.get(
        path_of(
            link_in(
                newsletter_message_build(subscription=subscription, subject="S", body="B"),
                "unsubscribe",
            )
        )
    )
    old_consent = NewsletterSubscription.objects.get().consent_given_at
    mail.outbox.clear()
    assert newsletter_issue_send(subject="News", body="Hello") == 0

    with django_capture_on_commit_callbacks(execute=True):
        post_subscribe(client, language="fr")

    subscription.refresh_from_db()
    assert subscription.status == Status.PENDING
    assert subscription.consent_given_at > old_consent
    assert subscription.language == "fr"
    assert len(mail.outbox) == 1
    assert "/fr/newsletter/confirm/" in mail.outbox[0].body


def test_bad_unsubscribe_link_is_a_friendly_400(client):
    response = client.get(reverse("newsletter:unsubscribe", kwargs={"token": "nonsense"}))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_footer_form_is_on_every_page_and_posts_to_the_newsletter(client):
    html = client.get(reverse("privacy")).content.decode()
    assert f'action="{reverse("newsletter:subscribe")}"' in html
    assert "Get updates by email" in html


def test_privacy_page_shows_the_policy_version(client):
    html = client.get(reverse("privacy")).content.decode()
    assert PRIVACY_POLICY_VERSION in html


def test_french_signup_sends_french_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_subscribe(client, language="fr")

    subscription = NewsletterSubscription.objects.get()
    assert subscription.language == "fr"
    assert "/fr/newsletter/confirm/" in mail.outbox[0].body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_signups_for_one_address_make_one_row_and_one_email(monkeypatch):
    import threading

    from django.db import connection

    # Both requests look up the address before either inserts it: the unique index decides.
    both_looked_up = threading.Barrier(2)
    manager = NewsletterSubscription.objects
    original_create = manager.create

    def create_after_both_looked(**kwargs):
        both_looked_up.wait(timeout=10)
        return original_create(**kwargs)

    monkeypatch.setattr(manager, "create", create_after_both_looked)
    errors = []

    def sign_up():
        try:
            newsletter_subscribe(email="race@example.org", language="en")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert NewsletterSubscription.objects.filter(email="race@example.org").count() == 1
    assert len(mail.outbox) == 1


def test_send_newsletter_command_reaches_only_confirmed_subscribers(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    confirmed("one@example.org")
    newsletter_subscribe(email="pending@example.org", language="en")
    mail.outbox.clear()
    body = tmp_path / "issue.txt"
    body.write_text("Twelve new dinners this month.", encoding="utf-8")

    out = StringIO()
    call_command("send_newsletter", subject="December", body_file=str(body), stdout=out)

    assert "Sent to 1" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["one@example.org"]]
    assert "Twelve new dinners" in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_signed_in_person_finds_their_address_filled_in_but_consent_unticked(client, user):
    client.force_login(user)

    html = client.get(subscribe_url()).content.decode()

    assert f'value="{user.email}"' in html
    consent_input = html.split('name="consent"')[1].split(">")[0]
    assert "checked" not in consent_input
