"""Staff sign in through the site's throttled login, with two factors (issue 8, items 2 and 3).

The admin has no password form of its own: ``/<lang>/admin/login/`` sends everyone to
allauth's login, whose ``login_failed`` limit counts wrong passwords per account and per
address. On the real stack (``STAFF_MFA_REQUIRED``) staff and superusers must have a second
factor before any admin page opens; ordinary users only opt in.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import get_user
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
SITE_HEADER = '<header class="site-header">'


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@kiron.example", is_staff=True)


@pytest.fixture
def throttled(settings):
    """allauth's rate limits on, as in production, with an empty cache."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def log_in(client, email: str, password: str = PASSWORD, next_url: str = "", **extra):
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data, **extra)


def current_totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# ---------------------------------------------------------------- the admin login


def test_the_admin_login_sends_staff_to_the_sites_login_and_back(client, staff):
    response = client.get(reverse("admin:index"), follow=True)
    login_url, _status = response.redirect_chain[-1]
    assert urlsplit(login_url).path == reverse("account_login")
    assert parse_qs(urlsplit(login_url).query)["next"] == [reverse("admin:index")]
    signed_in = log_in(client, staff.email, next_url=reverse("admin:index"))
    assert signed_in["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_form_itself_logs_no_one_in(client, staff):
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert not get_user(client).is_authenticated


def test_the_admin_login_keeps_only_a_local_next(client):
    response = client.get(reverse("admin:login"), {"next": "https://evil.example/admin/"})
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [reverse("admin:index")]
    response = client.get(reverse("admin:login"), {"next": "/en/admin/donations/fund/"})
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == ["/en/admin/donations/fund/"]


def test_wrong_passwords_lock_the_account_out_with_a_clear_message(client, staff, throttled):
    for _ in range(5):
        response = log_in(client, staff.email, password="wrong-guess")
        assert "The email address and/or password you specified are not correct." in (
            response.content.decode()
        )
    # Even the right password is refused while the account is locked: no sixth guess.
    response = log_in(client, staff.email)
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert not get_user(client).is_authenticated
    # Another account from the same address is not locked by this one.
    other = UserFactory()
    assert log_in(client, other.email).status_code == 302
    assert get_user(client).is_authenticated


def test_wrong_passwords_from_one_address_lock_that_address_out(client, staff, throttled):
    for n in range(10):
        log_in(client, f"guess{n}@example.org", password="wrong", REMOTE_ADDR="203.0.113.9")
    response = log_in(client, staff.email, REMOTE_ADDR="203.0.113.9")
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert not get_user(client).is_authenticated
    # The staff member, from their own address, still gets in.
    assert log_in(client, staff.email, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert get_user(client).is_authenticated


def test_without_rate_limits_the_same_guesses_are_not_locked_out(client, staff, settings):
    """The throttling tests above can fail: with the limits off, guess six is let in."""
    settings.ACCOUNT_RATE_LIMITS = False
    for _ in range(6):
        log_in(client, staff.email, password="wrong-guess")
    assert log_in(client, staff.email).status_code == 302


# ---------------------------------------------------------------- two factors for staff


@pytest.mark.parametrize("superuser", [False, True])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, mfa_required, superuser):
    member = UserFactory(is_staff=True, is_superuser=superuser)
    client.force_login(member)
    for url in (reverse("admin:index"), reverse("admin:donations_fund_changelist")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_index")
    page = client.get(reverse("admin:index"), follow=True)
    html = page.content.decode()
    assert "Staff need a second factor before opening the admin." in html
    assert SITE_HEADER in html  # allauth's MFA page inside the site's own layout


def test_recovery_codes_alone_do_not_count(client, staff, mfa_required):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.RECOVERY_CODES, data={})
    client.force_login(staff)
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_index")


def test_staff_with_an_authenticator_app_sign_in_with_its_code(client, staff, mfa_required):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    response = log_in(client, staff.email, next_url=reverse("admin:index"))
    assert response["Location"] == reverse("mfa_authenticate")
    assert not get_user(client).is_authenticated  # the password alone is not enough
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert not get_user(client).is_authenticated, wrong
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_in_the_embedded_default_demo_staff_may_skip_it(client, staff, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_ordinary_users_are_never_forced(client, mfa_required):
    guest = UserFactory()
    response = log_in(client, guest.email)
    assert response["Location"] == reverse("events:list")
    assert client.get(reverse("accounts:profile_edit")).status_code == 200
    assert client.get(reverse("bookings:mine")).status_code == 200
    assert client.get(reverse("admin:index"), follow=True).status_code == 404


def test_ordinary_users_may_opt_in_from_their_profile(client):
    guest = UserFactory()
    log_in(client, guest.email)
    profile = client.get(reverse("accounts:profile_edit")).content.decode()
    assert reverse("mfa_index") in profile
    # allauth asks for the password again before a second factor is added.
    reauth = client.get(reverse("mfa_activate_totp"))
    assert urlsplit(reauth["Location"]).path == reverse("account_reauthenticate")
    assert SITE_HEADER in client.get(reauth["Location"]).content.decode()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    for name in ("mfa_index", "mfa_activate_totp", "mfa_add_webauthn"):
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert SITE_HEADER in page.content.decode(), name
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=guest, type=Authenticator.Type.TOTP).exists()
