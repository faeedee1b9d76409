"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

Nothing here downloads a browser: Chromium comes from Debian (``/usr/bin/chromium``, or the
``CHROMIUM_PATH`` environment variable). The live server runs in a thread of this process, so
settings overrides (``localstripe``) reach it, Celery runs eagerly inside its requests, and the
emails it sends land in ``django.core.mail.outbox``.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API keeps an asyncio loop running in the test thread; Django would refuse
# ORM calls from that thread. The tests only read and seed data between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from .helpers import DB_LOCK, CspWatch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Bounded waits: long enough for a slow CI machine, short enough to fail fast.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "artifacts" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def csp_watch(live_server) -> Iterator[CspWatch]:
    """Collects CSP violations in every context ``new_context`` makes; the test fails if any
    page it visited broke the policy (or was served without one)."""
    watch = CspWatch(live_server.url)
    yield watch
    watch.assert_clean()


class _InFlight:
    """Counts the live server's requests still running (until their response is closed)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)

    def wrap(self, app):
        tracker = self

        class Closing:
            def __init__(self, result):
                self.result = result

            def __iter__(self):
                return iter(self.result)

            def close(self):
                try:
                    if hasattr(self.result, "close"):
                        self.result.close()
                finally:
                    tracker.done()

        def tracked(environ, start_response):
            with tracker.lock:
                tracker.count += 1
            try:
                return Closing(app(environ, start_response))
            except BaseException:
                tracker.done()
                raise

        return tracked

    def done(self) -> None:
        with self.lock:
            self.count -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        with self.lock:
            self.idle.wait_for(lambda: self.count <= 0, timeout=timeout)


@pytest.fixture(scope="session")
def live_server_in_flight(live_server) -> _InFlight:
    """The live server's running requests: a test's browser may leave one behind (a poll, a
    late asset) that must finish before the database is emptied for the next test, or the
    flush deadlocks with it."""
    in_flight = _InFlight()
    httpd = live_server.thread.httpd
    httpd.set_app(in_flight.wrap(httpd.get_app()))
    return in_flight


@pytest.fixture
def new_context(browser: Browser, csp_watch: CspWatch, live_server_in_flight: _InFlight):
    """Return a factory of fresh browser contexts (one per person: own cookies, own session),
    each watched for Content-Security-Policy violations."""
    contexts: list[BrowserContext] = []

    def make(*, locale: str = "en-GB", viewport: dict | None = None) -> BrowserContext:
        context = browser.new_context(
            viewport=viewport or DESKTOP, locale=locale, timezone_id="Europe/Brussels"
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        csp_watch.watch(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    live_server_in_flight.wait_idle()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only once the test database exists.

    Started before it (as happens when only these tests run), the server cannot share the
    in-memory SQLite test database's connection and opens its own connections to it, which
    then fail at random with "database table is locked".
    """
    return live_server


@pytest.fixture(autouse=True)
def site_url_is_the_live_server(request) -> None:
    """Emails link to ``SITE_URL`` (never the host a request came on): in the browser tests
    that is the live server's address, as ``make run`` makes it the runserver's."""
    if "live_server" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.SITE_URL = request.getfixturevalue("live_server").url


@pytest.fixture
def stripe_live(live_server, localstripe, localstripe_register_webhook) -> str:
    """localstripe emptied for this test, delivering signed webhooks to the live server."""
    localstripe_register_webhook(f"{live_server.url}/stripe/webhook/")
    return localstripe


@pytest.fixture(scope="session")
def shared_sqlite_connection(browser, live_server):
    """On in-memory SQLite, one connection for every thread, used by one thread at a time.

    The in-memory test database lives in SQLite's shared cache, where two *connections* lock
    each other out at once ("database table is locked", no waiting). Django's live server
    therefore hands its thread the test thread's connection. But while Playwright's event loop
    runs, Django (asgiref) gives the test thread a fresh connection of its own: so the test
    thread is pointed back at the shared one (see ``one_database_user_at_a_time``). Two
    threads must still not query through one connection at the same moment (Django's docs
    warn of this), so each server request and each query run under ``DB_LOCK``.
    PostgreSQL gives every thread its own connection: nothing changes there.
    """
    shared = live_server.thread.connections_override.get("default")
    if shared is None or not shared.is_in_memory_db():
        return None
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def app_one_at_a_time(environ, start_response):
        with DB_LOCK:
            return app(environ, start_response)

    def query_one_at_a_time(execute, sql, params, many, context):
        with DB_LOCK:
            return execute(sql, params, many, context)

    httpd.set_app(app_one_at_a_time)
    shared.execute_wrappers.append(query_one_at_a_time)
    return shared


@pytest.fixture(autouse=True)
def one_database_user_at_a_time(request) -> None:
    """Point this test's thread at the live server's connection (see above); SQLite only."""
    if "live_server" in request.fixturenames:
        shared = request.getfixturevalue("shared_sqlite_connection")
        if shared is not None:
            connections["default"] = shared
