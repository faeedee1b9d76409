"""Sign up, verify the email, log in, log out and reset a password with allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Password-123"


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_verification_then_login(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Newcomer@Example.org",
            "display_name": "Nour",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email__iexact="newcomer@example.org")
    assert not EmailAddress.objects.get(user=user).verified

    # Verification is mandatory: not logged in yet.
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.org"]
    assert "[Meetsies]" in message.subject

    # Logging in before confirming sends you to the "verify your email" page, not in.
    client.post(reverse("account_login"), {"login": "newcomer@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    confirm_url = _link(message)
    assert client.get(confirm_url).status_code == 200  # a GET only shows the confirm button
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk  # logged in on confirmation

    # Log out, then log in with the email address as the login.
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_login"), {"login": "newcomer@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    # And the hosting pages open.
    assert client.get(reverse("events:create")).status_code == 200


def test_signup_form_has_no_username_and_a_duplicate_email_makes_no_second_account(client, user):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="username"' not in page
    assert 'name="email"' in page
    response = client.post(
        reverse("account_signup"),
        {
            "email": user.email.upper(),
            "display_name": "Nour",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    # allauth does not reveal that the address is taken; it mails its owner instead.
    assert response.status_code == 302
    assert get_user_model().objects.filter(email__iexact=user.email).count() == 1
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "confirm-email" not in mail.outbox[0].body


def test_wrong_password_does_not_log_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email_and_sets_a_new_password(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]

    reset_url = _link(mail.outbox[0])
    response = client.get(reset_url, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    response = client.post(
        form_url, {"password1": "another-Password-456", "password2": "another-Password-456"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-Password-456")


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    # allauth may send an "unknown account" notice, but never a reset link.
    assert all("password/reset/key" not in m.body for m in mail.outbox)
