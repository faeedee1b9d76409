"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

Nothing here downloads a browser: Chromium comes from Debian (``/usr/bin/chromium``, or the
``CHROMIUM_PATH`` environment variable). The live server runs in a thread of this process, so
settings overrides (``localstripe``) reach it, Celery runs eagerly inside its requests, and the
emails it sends land in ``django.core.mail.outbox``.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread; Django would refuse
# ORM calls from that thread. The tests only read and seed data between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

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
def new_context(browser: Browser):
    """Return a factory of fresh browser contexts (one per person: own cookies, own session)."""
    contexts: list[BrowserContext] = []

    def make(*, locale: str = "en-GB", viewport: dict | None = None) -> BrowserContext:
        context = browser.new_context(
            viewport=viewport or DESKTOP, locale=locale, timezone_id="Europe/Brussels"
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


@pytest.fixture
def stripe_live(live_server, localstripe, localstripe_register_webhook) -> str:
    """localstripe emptied for this test, delivering signed webhooks to the live server."""
    localstripe_register_webhook(f"{live_server.url}/stripe/webhook/")
    return localstripe
