"""Content-Security-Policy in the browser: the watch that the journey relies on catches a real
violation, and paying with the 3-D Secure card (localstripe's fake Stripe.js draws its card
inputs and its authentication box in our page) breaks nothing in the policy."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from tests.factories import CityFactory, CommuneFactory, EventFactory, UserFactory

from .helpers import CARD_3DS, choose_seats_and_continue, log_in, pay_with_card, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.localstripe,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_the_watch_catches_inline_script_and_inline_style(new_context, live_server, csp_watch):
    """If this failed, "zero violations" in the journey would prove nothing."""
    page = new_context().new_page()
    page.goto(f"{live_server.url}/en/")
    expect(page.locator("main")).to_be_visible()
    ran = page.evaluate(
        """() => {
            window.inlineRan = false;
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true;';
            document.body.appendChild(script);
            document.body.setAttribute('style', 'background: red');
            return window.inlineRan;
        }"""
    )
    assert ran is False  # the browser refused to run it

    def seen(kind: str, directive: str) -> bool:
        return any(v.startswith(kind) and directive in v for v in csp_watch.violations)

    expected = [(kind, d) for kind in ("event:", "console") for d in ("script-src", "style-src")]
    for _ in range(50):  # Playwright delivers events only while we call it: wait in the page
        if all(seen(kind, directive) for kind, directive in expected):
            break
        page.wait_for_timeout(100)
    assert all(seen(k, d) for k, d in expected), csp_watch.violations
    csp_watch.violations.clear()  # seen and expected: the fixture's final check stays clean


def test_three_d_secure_checkout_has_no_csp_violation(
    new_context, live_server, stripe_live, csp_watch
):
    url = live_server.url
    commune = CommuneFactory(city=CityFactory(), name="Ixelles")
    event = EventFactory(commune=commune, title="Waterzooi for six", capacity=6)
    guest = UserFactory(email="sam.secure@example.org")
    page = new_context().new_page()
    log_in(page, url, email=guest.email)
    choose_seats_and_continue(page, url, event_id=event.pk, seats=1)
    # First the guest fails the bank's check: an error, and the seat is still held.
    pay_with_card(page, CARD_3DS)
    page.get_by_role("button", name="Fail authentication").click()
    expect(page.locator("#payment-errors")).to_contain_text(re.compile("authentication", re.I))
    # Then passes it.
    page.get_by_role("button", name=re.compile(r"^Pay\b")).click()
    # localstripe asks twice: when the card is saved (SetupIntent), then for the payment.
    for _ in range(2):
        page.get_by_role("button", name="Complete authentication").click()
    expect(page).to_have_url(re.compile(r"/en/bookings/[A-Z0-9]+/$"))
    wait_until(
        lambda: Booking.objects.filter(
            guest=guest, event=event, status=Booking.Status.CONFIRMED
        ).exists(),
        what="the 3-D Secure booking to be confirmed",
    )
    page.reload()
    expect(page.locator("#booking-status")).to_have_text("Confirmed")
    assert any("/bookings/" in visited for visited in csp_watch.pages), csp_watch.pages
    csp_watch.assert_clean()


def test_admin_works_under_the_policy(new_context, live_server, csp_watch):
    """Django admin's own scripts (calendar, autocomplete, inlines, filters) and our fund
    chart: no inline script or style, so no violation, on the pages staff use."""
    from donations.bootstrap import ensure_cook4chance_fund

    url = live_server.url
    fund = ensure_cook4chance_fund()
    commune = CommuneFactory(city=CityFactory(), name="Ixelles")
    event = EventFactory(commune=commune, title="Admin-visible dinner")
    admin_user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    page = new_context().new_page()
    page.goto(f"{url}/en/admin/")  # staff sign in on the site's own login page
    login_form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    login_form.locator("input[name=login]").fill(admin_user.email)
    login_form.locator("input[name=password]").fill("correct-horse-battery")
    login_form.locator("[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/en/admin/$"))

    for path in [
        "/en/admin/events/event/",
        f"/en/admin/events/event/{event.pk}/change/",
        f"/en/admin/accounts/user/{admin_user.pk}/change/",
        "/en/admin/bookings/booking/",
        f"/en/admin/donations/fund/{fund.pk}/change/",
        "/en/admin/donations/ledgerentry/",
        "/en/admin/donations/disbursement/add/",
    ]:
        page.goto(url + path)
        expect(page.locator("#content")).to_be_visible()

    # The widgets that draw themselves with JavaScript: the calendar and the autocomplete.
    page.goto(f"{url}/en/admin/events/event/add/")
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    page.locator("#calendarbox0").get_by_role("link", name="Today").click()
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("root")
    expect(page.locator(".select2-results__option").first).to_contain_text(str(admin_user))
    page.wait_for_timeout(200)  # let the reports of the last page reach the watch
    assert sum("/admin/" in visited for visited in csp_watch.pages) >= 9, csp_watch.pages
    csp_watch.assert_clean()
