"""Security headers on a public page and on an admin page, and the CSP's Stripe sources."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

PAGES = ["/en/", "/en/admin/"]


@pytest.fixture
def client(client):
    """Signed in as a superuser, so the admin page is the admin itself (its login redirects to
    the site's login since staff sign in there)."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_csp_is_strict_on_pages_and_admin(client, settings, path):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = ""
    response = client.get(path)
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "https://js.stripe.com"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert csp["connect-src"] == ["'self'", "https://api.stripe.com"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.parametrize("path", PAGES)
def test_other_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only with DJANGO_SECURE


@pytest.mark.parametrize("path", PAGES)
def test_hsts_with_production_security_settings(client, path):
    # What DJANGO_SECURE=1 sets (settings are read at import, so they are overridden here).
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    ):
        redirect = client.get(path)
        assert redirect.status_code == 301
        assert redirect["Location"].startswith("https://")
        response = client.get(path, secure=True)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_csp_follows_the_stripe_settings_at_request_time(client, settings):
    """A localstripe on a random port (as in the tests) is allowed as it is configured."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:45678"
    settings.STRIPE_JS_URL = "http://127.0.0.1:45678/js.stripe.com/v3/"
    csp = csp_directives(client.get("/en/"))
    assert csp["script-src"] == ["'self'", "http://127.0.0.1:45678"]
    assert csp["connect-src"] == ["'self'", "http://127.0.0.1:45678"]
    assert "frame-src" not in csp  # the fake Stripe.js draws in the page: no frames

    settings.STRIPE_API_BASE = "http://127.0.0.1:50001"
    settings.STRIPE_JS_URL = "http://127.0.0.1:50001/js.stripe.com/v3/"
    csp = csp_directives(client.get("/en/"))
    assert csp["script-src"] == ["'self'", "http://127.0.0.1:50001"]
    assert "http://127.0.0.1:45678" not in " ".join(sum(csp.values(), []))


def test_static_files_and_errors_carry_the_policy_too(client):
    assert "Content-Security-Policy" in client.get("/static/css/site.css").headers
    not_found = client.get("/en/no-such-page/")
    assert not_found.status_code == 404
    assert "frame-ancestors 'none'" in not_found.headers["Content-Security-Policy"]
