"""What a person does in the browser, as small functions the journey tests compose.

Selectors follow what a person sees: labels, roles and visible text. The one exception is the
card form: localstripe's fake Stripe.js renders five unlabelled ``<input>`` elements (named
only by their placeholders) inside ``#card-element``, where real Stripe renders an iframe.
"""

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core import mail
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response, expect

PASSWORD = "correct-horse-battery"
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002760003184"
AXE_PATH = "/static/vendor/axe/axe.min.js"
# localstripe delivers webhooks about a second after the action; allow a slow machine.
WEBHOOK_TIMEOUT_S = 20
# Held by the live server for each request and by the test thread around its queries, when
# both share one in-memory SQLite connection (see conftest.shared_sqlite_connection).
DB_LOCK = threading.RLock()


@contextmanager
def step(name: str) -> Iterator[None]:
    """Name the journey step in any failure, so a red run says where the journey broke."""
    try:
        yield
    except Exception as exc:
        message = f"journey step failed: {name}\n{type(exc).__name__}: {exc}"
        raise AssertionError(message) from exc


def wait_until(
    predicate: Callable[[], Any], *, timeout: float = WEBHOOK_TIMEOUT_S, what: str = ""
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with DB_LOCK:
            result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(0.2)


# ---------------------------------------------------------------- evidence


def screenshot(page: Page, directory: Path, name: str) -> Path:
    """A full-page PNG of what the person sees now."""
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page, live_url: str, *, exclude: list[str] | None = None) -> list[dict]:
    """Run axe-core (served by the site itself) on the current page; serious+critical only."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=live_url + AXE_PATH)
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = page.evaluate(
        """async (context) => {
            const result = await axe.run(context || document, {resultTypes: ['violations']});
            return result.violations;
        }""",
        context,
    )
    return [v for v in results if v.get("impact") in {"serious", "critical"}]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            target = json.dumps(node.get("target"))
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


class AxeAudit:
    """Collects axe-core findings page by page, so one run reports every page's violations;
    ``assert_clean()`` (called at the end of a test) fails if any page had one."""

    def __init__(self, live_url: str) -> None:
        self.live_url = live_url
        self.findings: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Page, name: str, *, exclude: list[str] | None = None) -> None:
        self.pages.append(name)
        violations = axe_violations(page, self.live_url, exclude=exclude)
        if violations:
            finding = f"on {name} ({page.url}):\n{format_violations(violations)}"
            self.findings.append(finding)
            # Shown with the test's output even when a later step fails first.
            print(f"axe-core: serious/critical violations {finding}")  # noqa: T201

    def assert_clean(self) -> None:
        assert self.pages, "no page was checked with axe-core"
        assert not self.findings, "axe-core found serious/critical violations\n" + "\n".join(
            self.findings
        )


# ---------------------------------------------------------------- Content-Security-Policy

# Runs in every document before its own scripts (Playwright injects it outside the page's CSP)
# and reports each violation to Python through a binding that survives navigations.
CSP_WATCH_SCRIPT = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__meetsiesCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


class CspWatch:
    """Every Content-Security-Policy violation seen by the browser contexts it watches.

    Three sources: the page's own ``securitypolicyviolation`` events, the console's "Refused
    to ... Content Security Policy" errors, and any HTML page served without the header (a
    page without a policy could not violate it). ``assert_clean()`` fails with all of them.
    """

    def __init__(self, live_url: str = "") -> None:
        self.live_url = live_url
        self.violations: list[str] = []
        self.pages: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        context.expose_binding("__meetsiesCspViolation", self._on_violation)
        context.add_init_script(CSP_WATCH_SCRIPT)
        context.on("console", self._on_console)
        context.on("response", self._on_response)

    def _on_violation(self, source, violation: dict) -> None:
        self.violations.append(
            "event: {directive} refused {blocked!r} on {page} ({source}:{line}) {sample!r}".format(
                **violation
            )
        )

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console {message.type}: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.request.resource_type != "document" or not response.url.startswith(
            self.live_url
        ):
            return
        if response.status >= 300 and response.status < 400:
            return
        self.pages.append(response.url)
        if not response.headers.get("content-security-policy"):
            self.violations.append(f"no Content-Security-Policy header on {response.url}")

    def assert_clean(self) -> None:
        assert not self.violations, "Content-Security-Policy violations:\n" + "\n".join(
            self.violations
        )


# ---------------------------------------------------------------- accounts


def confirmation_link(email: str) -> str:
    """The /accounts/confirm-email/<key>/ link from the last email sent to ``email``."""
    for message in reversed(mail.outbox):
        if email in message.to:
            bodies = [message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
            for body in bodies:
                match = re.search(r"https?://\S+/accounts/confirm-email/[^/\s\"<]+/", body)
                if match:
                    return match.group(0)
    sent = [(m.to, m.subject) for m in mail.outbox]
    raise AssertionError(f"no confirmation email with a link for {email}; sent: {sent}")


def sign_up(page: Page, live_url: str, *, email: str, lang: str = "en", name: str = "Nour") -> None:
    """Sign up in the browser (with the public name) and verify the address by the emailed link."""
    page.goto(f"{live_url}/{lang}/accounts/signup/")
    form = page.locator("main form").filter(has=page.locator("input[name=password2]"))
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=display_name]").fill(name)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    link = wait_until(lambda: _safe_confirmation_link(email), timeout=10, what="the email")
    page.goto(link)
    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: the page asks for one click to confirm.
    page.locator("main form [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(confirm-email|login|signup)/"))


def _safe_confirmation_link(email: str) -> str | None:
    try:
        return confirmation_link(email)
    except AssertionError:
        return None


def log_in(page: Page, live_url: str, *, email: str, lang: str = "en", next_url: str = "") -> None:
    url = f"{live_url}/{lang}/accounts/login/"
    if next_url:
        url += f"?next={next_url}"
    page.goto(url)
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


# ---------------------------------------------------------------- paying


def card_inputs(page: Page):
    """The fake card element's inputs, by the placeholder localstripe gives each."""
    card = page.locator("#card-element")
    return {
        name: card.locator(f"input[placeholder={name}]")
        for name in ("number", "exp_month", "exp_year", "cvc", "postal_code")
    }


def fill_card(page: Page, number: str) -> None:
    inputs = card_inputs(page)
    expect(inputs["number"]).to_be_visible()
    inputs["number"].fill(number)
    inputs["exp_month"].fill("12")
    inputs["exp_year"].fill("34")
    inputs["cvc"].fill("123")
    inputs["postal_code"].fill("1050")
    # Each fill() fires an input event; localstripe's element then re-reads all five inputs.


# ---------------------------------------------------------------- hosting


def create_and_publish_event(
    page: Page,
    live_url: str,
    *,
    title: str,
    commune_label: str,
    starts_at: str,
    ends_at: str,
    booking_deadline: str,
    capacity: int,
    contribution: str,
    pledge_percent: int,
) -> int:
    """Fill "Host an event" as a host would, save, check the preview, publish; return the id.

    Times are wall-clock strings for ``<input type=datetime-local>``: "YYYY-MM-DDTHH:MM".
    """
    page.goto(f"{live_url}/en/")
    page.get_by_role("link", name="Host an event").first.click()
    expect(page).to_have_url(re.compile(r"/en/events/new/$"))
    page.get_by_label("Kind of event").select_option(label="Dinner")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(
        "Three courses, a long table and good company. Vegetarian options on request."
    )
    page.get_by_label("Menu").fill("Soup, stoemp with sausages, chocolate mousse.")
    page.get_by_label("City").select_option(label="Brussels")
    page.get_by_label("Commune").select_option(label=commune_label)
    page.get_by_label("Exact address").fill("Rue du Bailli 12, 1050 Ixelles")
    page.get_by_label("Starts at").fill(starts_at)
    page.get_by_label("Ends at").fill(ends_at)
    page.get_by_label("Booking deadline").fill(booking_deadline)
    page.get_by_label(re.compile(r"^Seats:?$")).fill(str(capacity))
    page.get_by_label("Contribution per seat (€)").fill(contribution)
    page.get_by_label("Share pledged to Cook4Chance (%)").fill(str(pledge_percent))
    page.get_by_role("button", name="Save and preview").click()
    expect(page).to_have_url(re.compile(r"/en/events/\d+/preview/$"))
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/en/events/\d+/$"))
    expect(page.get_by_text("Your event is published")).to_be_visible()
    return int(re.search(r"/events/(\d+)/$", page.url).group(1))


# ---------------------------------------------------------------- booking

# What the booking pages say, per interface language.
WORDS = {
    "en": {
        "seats": re.compile(r"^Seats", re.I),
        "continue": re.compile(r"Continue to payment", re.I),
        "pay": re.compile(r"^Pay\b", re.I),
    },
    "fr": {
        "seats": re.compile(r"^Places", re.I),
        "continue": re.compile(r"(Continuer|Passer) (vers le|au) paiement", re.I),
        "pay": re.compile(r"^Payer\b", re.I),
    },
}


def choose_seats_and_continue(page: Page, live_url: str, *, event_id: int, seats: int, lang="en"):
    """On the event page, pick the number of seats and go on to the checkout."""
    words = WORDS[lang]
    page.goto(f"{live_url}/{lang}/events/{event_id}/")
    seats_field = page.locator(".booking-panel").get_by_label(words["seats"])
    if seats_field.evaluate("el => el.tagName") == "SELECT":
        seats_field.select_option(str(seats))
    else:
        seats_field.fill(str(seats))
    page.locator(".booking-panel").get_by_role("button", name=words["continue"]).click()
    expect(card_inputs(page)["number"]).to_be_visible()


def pay_with_card(page: Page, number: str, *, lang: str = "en") -> None:
    fill_card(page, number)
    page.get_by_role("button", name=WORDS[lang]["pay"]).click()
