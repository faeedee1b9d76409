"""Fixtures shared by the whole suite.

- Tests marked ``postgres`` skip on SQLite; tests marked ``redis`` skip without ``REDIS_URL``;
  tests marked ``e2e`` skip without Debian's Chromium (``/usr/bin/chromium``).
  With ``MEETSIES_FAIL_ON_SKIP=1`` (set by ``.ci/run``) any skipped test fails the run.
- ``localstripe`` starts one localstripe server on a free loopback port for the session and
  empties its store before each test that uses it.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import translation

from .factories import CityFactory, CommuneFactory, EventFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    has_chromium = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists()
    for item in items:
        if "e2e" in item.keywords and not has_chromium:
            item.add_marker(
                pytest.mark.skip(reason="needs Debian's Chromium: apt-get install chromium")
            )
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and os.environ.get("MEETSIES_FAIL_ON_SKIP") == "1":
        terminalreporter.write_line(
            f"MEETSIES_FAIL_ON_SKIP: {len(skipped)} test(s) skipped; CI needs every test to run.",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or os.environ.get("MEETSIES_FAIL_ON_SKIP") != "1":
        return
    if reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def english():
    """Start every test in English: a request to /fr/... leaves French active in the thread."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------- factories as fixtures


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def host(db):
    return UserFactory(email="host@example.org", first_name="Hana")


@pytest.fixture
def brussels(db):
    return CityFactory()


@pytest.fixture
def ixelles(brussels):
    return CommuneFactory(city=brussels, name="Ixelles")


@pytest.fixture
def event(host, ixelles):
    return EventFactory(host=host, commune=ixelles)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------- localstripe


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_server():
    """A localstripe process on a free loopback port for the whole session; yields its base URL.

    Webhooks are not registered here: a test that needs deliveries registers its live server
    with ``localstripe_register_webhook``.
    """
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runlocalstripe", "--port", str(port), "--no-webhook"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "meetsies.settings_test"},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{base}/v1/balance", auth=("sk_test_x", ""), timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the Stripe gateway at the session's localstripe, emptied for this test."""
    requests.delete(f"{localstripe_server}/_config/data", timeout=5).raise_for_status()
    settings.STRIPE_API_BASE = localstripe_server
    settings.STRIPE_JS_URL = f"{localstripe_server}/js.stripe.com/v3/"
    return localstripe_server


@pytest.fixture
def localstripe_register_webhook(localstripe, settings):
    """Return a function that makes localstripe deliver webhooks to ``url``."""

    def register(url: str) -> None:
        response = requests.post(
            f"{localstripe}/_config/webhooks/meetsies",
            data={"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET},
            timeout=5,
        )
        response.raise_for_status()

    return register
