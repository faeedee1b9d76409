"""allauth's pages in the site's design and voice, sentence case, three languages (issue 11)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TITLE_CASE = [
    "Sign In",
    "Sign Up",
    "Forgot Your Password",
    "Confirm Email Address",
    "Remember Me",
    "Password Reset",
    "Sign Out",
    "Verify Your Email Address",
    "Change Password",
]


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "<h1>Log in</h1>"),
        ("account_signup", "<h1>Sign up</h1>"),
        ("account_reset_password", "<h1>Forgot your password?</h1>"),
        ("account_reset_password_done", "<h1>Check your inbox</h1>"),
        ("account_email_verification_sent", "<h1>Check your inbox</h1>"),
    ],
)
def test_auth_pages_are_ours_in_sentence_case(client, name, heading):
    html = client.get(reverse(name)).content.decode()
    assert heading in html
    assert 'class="site-header"' in html  # the site's own layout
    for words in TITLE_CASE:
        assert words not in html, words


def test_login_and_signup_labels_in_sentence_case(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">Email address</label>' in html
    assert ">Keep me logged in on this device</label>" in html
    html = client.get(reverse("account_signup")).content.decode()
    assert ">Password again</label>" in html
    assert ">Your name, as others see it</label>" in html


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_auth_pages_in_french_and_dutch(client, language):
    response = client.get(f"/{language}/accounts/login/")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_a_bad_login_says_so_in_the_page(client):
    UserFactory(email="known@example.org")
    response = client.post(
        reverse("account_login"), {"login": "known@example.org", "password": "x"}
    )
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()


def test_confirm_and_reset_pages_take_the_emailed_links(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "n@example.org",
            "display_name": "Nour",
            "password1": "a-long-Password-123",
            "password2": "a-long-Password-123",
        },
    )
    link = re.search(r"https?://[^/\s]+(/\S+confirm-email/\S+)", mail.outbox[0].body).group(1)
    html = client.get(link).content.decode()
    assert "<h1>Confirm your email address</h1>" in html
    assert "Yes, confirm it" in html
    html = client.get(reverse("account_confirm_email", args=["nonsense"])).content.decode()
    assert "This confirmation link has expired or is not valid." in html
