"""allauth's emails: the site's name and SITE_URL (bug 2 of issue 11), multipart, our voice."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Password-123"


def _signup(client, **extra):
    return client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.org",
            "display_name": "Nour",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **extra,
        },
    )


@override_settings(SITE_URL="http://127.0.0.1:8100")
def test_signup_email_links_to_site_url_and_names_the_site(client):
    assert _signup(client).status_code == 302
    message = mail.outbox[0]
    links = re.findall(r"https?://\S+", message.body)
    assert links, message.body
    assert all(link.startswith("http://127.0.0.1:8100/") for link in links), links
    assert "testserver" not in message.body
    assert "example.com" not in message.body
    assert "Hello from" not in message.body
    assert "Meetsies" in message.body
    assert message.subject.startswith("[Meetsies] ")


@override_settings(SITE_URL="http://127.0.0.1:8100")
def test_password_reset_email_links_to_site_url(client):
    UserFactory(email="known@example.org")
    client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    body = mail.outbox[0].body
    assert re.search(r"http://127\.0\.0\.1:8100/en/accounts/password/reset/key/\S+", body), body
    assert "testserver" not in body


def test_allauth_emails_are_multipart_in_the_site_design(client):
    _signup(client)
    message = mail.outbox[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<html" in html and 'style="' in html
    assert "<img" not in html  # no remote images
    confirm = re.search(r"https?://\S+/confirm-email/\S+", message.body).group(0)
    assert f'href="{confirm}"' in html


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_signup_email_is_written_in_the_visitors_language(client, language):
    client.post(
        f"/{language}/accounts/signup/",
        {
            "email": "newcomer@example.org",
            "display_name": "Nour",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    message = mail.outbox[0]
    html, _mimetype = message.alternatives[0]
    assert f'<html lang="{language}">' in html
    assert f"/{language}/accounts/confirm-email/" in message.body
