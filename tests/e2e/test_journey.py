"""The whole journey of issue 5, in Debian's Chromium, against a live server and localstripe.

A host signs up and publishes a Cook4Chance dinner; guests book and pay through the same
Stripe.js flow a person uses until the fund completes a €400 tranche; the impact page shows
the laptop; a declined card keeps the seat; a guest cancels and is refunded; Kiron staff see
the tranche in admin; a French pass; a keyboard-only booking. Key pages are checked with
axe-core and photographed into ``SCREENSHOT_DIR``. Every page every context visits is watched
for Content-Security-Policy violations (``csp_watch``, see conftest): a test with one fails.
"""

import re
from datetime import datetime, time, timedelta

import pytest
import requests
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.models import User
from bookings.models import Booking, Refund, StripeEvent
from donations.models import Fund, LedgerEntry, Tranche
from events.models import Event, Kind
from tests.factories import CityFactory, CommuneFactory, EventFactory, UserFactory

from .conftest import PHONE
from .helpers import (
    CARD_DECLINED,
    CARD_OK,
    DB_LOCK,
    AxeAudit,
    card_inputs,
    choose_seats_and_continue,
    create_and_publish_event,
    log_in,
    pay_with_card,
    screenshot,
    sign_up,
    step,
    wait_until,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.localstripe,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

# localstripe's fake card element has no labels (real Stripe renders a labelled iframe).
FAKE_CARD_ELEMENT = ["#card-element"]


def url_for(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def local_input(days: int, hour: int, minute: int = 0) -> str:
    """A wall-clock time in Brussels ``days`` from today, as a datetime-local value."""
    day = timezone.localtime(timezone.now(), timezone.get_default_timezone()).date()
    day += timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:{minute:02d}"


def booking_status(booking_id: int) -> str:
    return Booking.objects.values_list("status", flat=True).get(pk=booking_id)


def wait_for_booking(*, guest: User, event_id: int, status: str) -> Booking:
    """Poll until ``guest``'s booking at the event reaches ``status`` (webhooks are async)."""
    return wait_until(
        lambda: Booking.objects.filter(guest=guest, event_id=event_id, status=status).first(),
        what=f"{guest.email}'s booking to be {status}",
    )


def figure(page, term: str):
    """The value shown next to ``term`` in a list of figures (``<dt>term</dt><dd>…</dd>``)."""
    return page.locator(f"dt:text-is('{term}') + dd")


@pytest.fixture
def places(db):
    brussels = CityFactory()
    return {
        name.lower(): CommuneFactory(city=brussels, name=name)
        for name in ("Ixelles", "Saint-Gilles", "Schaerbeek", "Molenbeek")
    }


def brussels_time(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def other_hosts_events(places) -> None:
    """A few events by other hosts, so the list and home pages look like a lived-in site."""
    host = UserFactory(email="omar.host@example.org", first_name="Omar")
    for days, kind, title, commune, cents, percent in [
        (9, Kind.BOARD_GAMES, "Catan and Belgian beers", "saint-gilles", 800, 25),
        (12, Kind.SINGLES, "Singles supper: Syrian mezze", "schaerbeek", 3000, 50),
        (26, Kind.OTHER, "Soup Sunday for neighbours", "molenbeek", 0, 0),
    ]:
        starts_at = brussels_time(days, 19)
        EventFactory(
            host=host,
            kind=kind,
            title=title,
            commune=places[commune],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            contribution_cents=cents,
            pledge_percent=percent,
            capacity=10,
        )


@pytest.fixture
def cook4chance(db) -> Fund:
    """The fund and staff group the data migration creates (a transactional test may have
    flushed them), through the donations app's own idempotent bootstrap."""
    from donations.bootstrap import ensure_cook4chance_fund, ensure_kiron_staff_group

    ensure_kiron_staff_group()
    return ensure_cook4chance_fund()


def book_and_pay(page, live_url, *, event_id, seats, guest, lang="en") -> Booking:
    """Choose seats, pay with the good card, wait until Stripe's webhook confirms it."""
    choose_seats_and_continue(page, live_url, event_id=event_id, seats=seats, lang=lang)
    return pay_and_see_confirmed(page, guest=guest, event_id=event_id, lang=lang)


CONFIRMED_WORD = {"en": "Confirmed", "fr": "Confirmée"}


def pay_and_see_confirmed(page, *, guest, event_id, lang="en") -> Booking:
    """Pay with the good card; the browser lands on the booking, which Stripe's webhook
    (not the browser) confirms a moment later."""
    pay_with_card(page, CARD_OK, lang=lang)
    expect(page).to_have_url(re.compile(rf"/{lang}/bookings/[A-Z0-9]+/$"))
    page.wait_for_load_state()
    booking = wait_for_booking(guest=guest, event_id=event_id, status=Booking.Status.CONFIRMED)
    page.reload()
    expect(page.locator("#booking-status")).to_have_text(CONFIRMED_WORD[lang])
    return booking


def test_whole_journey(
    new_context,
    live_server,
    stripe_live,
    mailoutbox,
    screenshot_dir,
    places,
    cook4chance,
    csp_watch,
):
    url = live_server.url
    axe = AxeAudit(url)
    host_page = new_context().new_page()

    with step("1. a host signs up and verifies the email through the link in the sent mail"):
        host_page.goto(f"{url}/en/")
        axe.check(host_page, "home")
        sign_up(host_page, url, email="hana.host@example.org")
        assert EmailAddress.objects.filter(email="hana.host@example.org", verified=True).exists()
        host = User.objects.get(email="hana.host@example.org")

    with step("2. the host creates a Cook4Chance dinner: €25/seat, 100% pledged, 16 seats"):
        event_id = create_and_publish_event(
            host_page,
            url,
            title="Stoemp night in Ixelles",
            commune_label="Ixelles",
            starts_at=local_input(21, 19, 30),
            ends_at=local_input(21, 23, 0),
            booking_deadline=local_input(20, 12, 0),
            capacity=16,
            contribution="25",
            pledge_percent=100,
        )
        event = Event.objects.get(pk=event_id)
        assert (event.host, event.status) == (host, Event.Status.PUBLISHED)
        assert (event.capacity, event.contribution_cents, event.pledge_percent) == (16, 2500, 100)
        assert event.commune == places["ixelles"]
        expect(host_page.get_by_text("Cook4Chance").first).to_be_visible()

    with DB_LOCK:
        other_hosts_events(places)
    guest_page = new_context().new_page()
    with step("list and detail pages: a guest finds the dinner"):
        guest_page.goto(f"{url}{url_for('events:list')}")
        expect(guest_page.get_by_role("link", name="Stoemp night in Ixelles")).to_be_visible()
        screenshot(guest_page, screenshot_dir, "list")
        axe.check(guest_page, "event list")
        guest_page.get_by_role("link", name="Stoemp night in Ixelles").click()
        expect(guest_page).to_have_url(re.compile(rf"/en/events/{event_id}/$"))
        expect(guest_page.get_by_text("16 of 16 seats left")).to_be_visible()
        expect(guest_page.locator("main")).not_to_contain_text("Rue du Bailli")
        axe.check(guest_page, "event detail (logged out)")

    with step("3a. a guest signs up in the browser, books 8 seats and pays with 4242"):
        sign_up(guest_page, url, email="gaspard.guest@example.org")
        gaspard = User.objects.get(email="gaspard.guest@example.org")
        guest_page.goto(f"{url}/en/events/{event_id}/")
        expect(guest_page.locator(".booking-panel").get_by_label("Seats")).to_be_visible()
        screenshot(guest_page, screenshot_dir, "detail")
        axe.check(guest_page, "event detail (booking form)")
        phone = guest_page.context.new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(guest_page.url)
        screenshot(phone, screenshot_dir, "detail-phone")
        phone.close()
        choose_seats_and_continue(guest_page, url, event_id=event_id, seats=8)
        # The guest sees the split before paying: all of it goes to Kiron.
        split = guest_page.locator("main .money-split")
        expect(split.locator("[data-split=gross]")).to_have_text("€200.00")
        expect(split.locator("[data-split=pledge]")).to_have_text("€200.00")
        expect(split.locator("[data-split=host]")).to_have_text("€0.00")
        expect(guest_page.get_by_role("button", name="Pay €200.00")).to_be_visible()
        screenshot(guest_page, screenshot_dir, "checkout")
        axe.check(guest_page, "checkout", exclude=FAKE_CARD_ELEMENT)
        first = pay_and_see_confirmed(guest_page, guest=gaspard, event_id=event_id)
        assert (first.seats, first.gross_cents, first.pledge_cents) == (8, 200_00, 200_00)

    with step("my bookings shows the confirmed booking"):
        guest_page.goto(f"{url}{url_for('bookings:mine')}")
        row = guest_page.locator("#my-bookings tbody tr").filter(has_text="Stoemp night in Ixelles")
        expect(row).to_contain_text("Confirmed")
        expect(row).to_contain_text("€200.00")
        # Confirmed guests, and only they, see the exact address.
        expect(row).to_contain_text("Rue du Bailli 12")
        screenshot(guest_page, screenshot_dir, "my-bookings")
        axe.check(guest_page, "my bookings")

    with step("3b. a second guest books the other 8 seats: the fund completes a €400 tranche"):
        lea = UserFactory(email="lea.guest@example.org", first_name="Léa")
        lea_page = new_context().new_page()
        log_in(lea_page, url, email=lea.email)
        book_and_pay(lea_page, url, event_id=event_id, seats=8, guest=lea)
        fund = wait_until(
            lambda: Fund.objects.filter(pk=cook4chance.pk, pledged_cents=400_00).first(),
            what="the fund to reach €400",
        )
        assert fund.net_cents == 400_00
        assert list(Tranche.objects.filter(fund=fund).values_list("number", flat=True)) == [1]
        lea_page.goto(f"{url}/en/events/{event_id}/")
        expect(lea_page.get_by_text("Sold out").first).to_be_visible()

    with step("4. the impact page shows one laptop funded"):
        guest_page.goto(f"{url}{url_for('donations:impact')}")
        expect(figure(guest_page, "Laptops funded")).to_have_text("1")
        expect(figure(guest_page, "Raised")).to_have_text("€400.00")
        screenshot(guest_page, screenshot_dir, "impact")
        axe.check(guest_page, "impact")
        # The home page, now with an event and a funded laptop, for the README and reviewers.
        guest_page.goto(f"{url}/en/")
        screenshot(guest_page, screenshot_dir, "home")

    with step("5. a declined card shows its error, and the seat is not lost"):
        other = EventFactory(
            host=host,
            commune=places["ixelles"],
            title="Board games and waffles",
            kind=Kind.BOARD_GAMES,
            capacity=4,
            pledge_percent=0,
        )
        noor = UserFactory(email="noor.guest@example.org", first_name="Noor")
        noor_page = new_context().new_page()
        log_in(noor_page, url, email=noor.email)
        choose_seats_and_continue(noor_page, url, event_id=other.pk, seats=2)
        pay_with_card(noor_page, CARD_DECLINED)
        errors = noor_page.locator("#payment-errors")
        expect(errors).to_have_attribute("role", "alert")
        expect(errors).to_contain_text(re.compile(r"declined", re.I))
        screenshot(noor_page, screenshot_dir, "checkout-declined")
        held = Booking.objects.get(guest=noor, event=other)
        # Stripe's payment_failed webhook arrives a moment later; it must not free the seats.
        wait_until(
            lambda: StripeEvent.objects.filter(
                type="payment_intent.payment_failed",
                payment_intent_id=held.payment.stripe_payment_intent_id,
            ).exists(),
            what="the payment_failed webhook",
        )
        assert booking_status(held.pk) == Booking.Status.HELD
        noor_page.goto(f"{url}/en/events/{other.pk}/")
        panel = noor_page.locator(".booking-panel")
        expect(panel).to_contain_text("You are holding 2 seats")
        expect(noor_page.get_by_text("2 of 4 seats left")).to_be_visible()
        # Back to the checkout from the event page, with the good card this time.
        panel.get_by_role("link", name="Continue to payment").click()
        retried = pay_and_see_confirmed(noor_page, guest=noor, event_id=other.pk)
        assert retried.pk == held.pk
        other.refresh_from_db()
        assert other.seats_reserved == 2

    with step("6. a guest cancels before the deadline, is refunded; the fund shows the reversal"):
        guest_page.goto(f"{url}{url_for('bookings:mine')}")
        guest_page.locator("#my-bookings").get_by_role(
            "link", name="Stoemp night in Ixelles"
        ).click()
        guest_page.get_by_role("link", name="Cancel booking").click()
        expect(guest_page.locator("#refund-notice")).to_contain_text(
            re.compile(r"full refund of €200[.,]00")
        )
        guest_page.get_by_role("button", name="Yes, cancel my booking").click()
        expect(guest_page).to_have_url(re.compile(r"/en/bookings/[A-Z0-9]+/$"))
        expect(guest_page.get_by_text("Your booking is cancelled.")).to_be_visible()
        wait_until(
            lambda: booking_status(first.pk) == Booking.Status.REFUNDED,
            what="the cancelled booking to be refunded",
        )
        # The money really went back: Stripe (localstripe) holds the refund of the whole payment.
        refund = Refund.objects.get(payment__booking=first)
        at_stripe = requests.get(
            f"{stripe_live}/v1/refunds/{refund.stripe_refund_id}",
            auth=(settings.STRIPE_SECRET_KEY, ""),
            timeout=5,
        ).json()
        assert (at_stripe["amount"], at_stripe["payment_intent"]) == (
            200_00,
            first.payment.stripe_payment_intent_id,
        )
        guest_page.reload()
        expect(guest_page.locator("#booking-status")).to_have_text("Cancelled and refunded")
        expect(guest_page.locator("#refund-info")).to_contain_text(re.compile(r"200[.,]00"))
        fund = wait_until(
            lambda: Fund.objects.filter(pk=cook4chance.pk, reversed_cents=200_00).first(),
            what="the fund to record the reversal",
        )
        assert fund.net_cents == 200_00
        assert LedgerEntry.objects.filter(fund=fund, kind="reversal", amount_cents=-200_00)
        guest_page.goto(f"{url}{url_for('donations:impact')}")
        expect(figure(guest_page, "Raised")).to_have_text("€200.00")
        event.refresh_from_db()
        assert event.seats_left == 8

    with step("7. a Kiron staff user logs into admin and sees the tranche"):
        staff = UserFactory(email="kiron.staff@example.org", is_staff=True)
        staff.groups.add(Group.objects.get(name="Kiron staff"))
        admin_page = new_context().new_page()
        # The admin has no login form of its own: staff sign in on the site's (throttled)
        # login page and come back to the admin.
        admin_page.goto(f"{url}/en/admin/")
        expect(admin_page).to_have_url(re.compile(r"/en/accounts/login/\?next=%2Fen%2Fadmin%2F$"))
        login_form = admin_page.locator("main form").filter(
            has=admin_page.locator("input[name=password]")
        )
        login_form.locator("input[name=login]").fill(staff.email)
        login_form.locator("input[name=password]").fill("correct-horse-battery")
        login_form.locator("[type=submit]").click()
        expect(admin_page).to_have_url(re.compile(r"/en/admin/$"))
        admin_page.get_by_role("link", name="Funds").click()
        admin_page.get_by_role("link", name="Kiron Cook4Chance").click()
        summary = admin_page.locator("#fund-summary")
        expect(summary).to_be_visible()
        expect(summary.locator("#fund-pledged")).to_have_text("€400.00")
        expect(summary.locator("#fund-reversed")).to_have_text("€200.00")
        expect(summary.locator("#fund-net")).to_have_text("€200.00")
        screenshot(admin_page, screenshot_dir, "admin-fund")
        summary.get_by_role("link", name="Tranches").click()
        rows = admin_page.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Kiron Cook4Chance")
        screenshot(admin_page, screenshot_dir, "admin-tranches")
        # Tranches come only from the ledger: staff cannot add one by hand.
        assert not admin_page.get_by_role("link", name=re.compile("^Add tranche")).count()

    with step("axe-core: 0 serious or critical violations on the key pages"):
        axe.assert_clean()

    with step("Content-Security-Policy: 0 violations on every page visited, admin included"):
        admin_page.wait_for_timeout(200)  # let the last pages' reports reach the watch
        assert any("/admin/" in visited for visited in csp_watch.pages)
        assert any("/checkout/" in visited for visited in csp_watch.pages)
        csp_watch.assert_clean()


def test_keyboard_only_booking(new_context, live_server, stripe_live, places, cook4chance):
    """After logging in, the whole booking is done with the keyboard alone."""
    url = live_server.url
    event = EventFactory(commune=places["ixelles"], title="Quiet supper", capacity=6)
    guest = UserFactory(email="kim.keyboard@example.org")
    page = new_context().new_page()
    log_in(page, url, email=guest.email)
    page.goto(f"{url}/en/events/{event.pk}/")
    keyboard = page.keyboard

    def tab_to(predicate_js: str, what: str, limit: int = 80) -> None:
        for _ in range(limit):
            keyboard.press("Tab")
            if page.evaluate(predicate_js):
                return
        raise AssertionError(f"could not reach {what} with Tab")

    def assert_focus_visible(what: str) -> None:
        """The focused control shows a focus ring (outline or box shadow), as a person sees."""
        style = page.evaluate(
            """() => {
                const s = getComputedStyle(document.activeElement);
                return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow};
            }"""
        )
        visible = (style["outline"] != "none" and style["width"] != "0px") or (
            style["shadow"] != "none"
        )
        assert visible, f"no visible focus on {what}: {style}"

    tab_to(
        "() => document.activeElement.closest('.booking-panel') !== null"
        " && ['INPUT','SELECT'].includes(document.activeElement.tagName)",
        "the seats field",
    )
    assert_focus_visible("the seats field")
    if page.evaluate("() => document.activeElement.tagName") == "SELECT":
        keyboard.press("ArrowDown")  # 1 → 2 seats
    else:
        keyboard.press("Control+A")
        keyboard.type("2")
    tab_to(
        "() => /continue to payment/i.test(document.activeElement.textContent"
        " || document.activeElement.value || '')",
        "the continue button",
    )
    assert_focus_visible("the continue button")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bookings/"))
    expect(card_inputs(page)["number"]).to_be_visible()
    tab_to(
        "() => document.activeElement.getAttribute('placeholder') === 'number'",
        "the card number",
    )
    # localstripe's element moves the focus on by itself as each part is complete.
    keyboard.type(CARD_OK)
    keyboard.type("12")
    keyboard.type("34")
    keyboard.type("123")
    keyboard.type("1050")
    tab_to(
        "() => /^\\s*pay\\b/i.test(document.activeElement.textContent"
        " || document.activeElement.value || '')",
        "the pay button",
    )
    assert_focus_visible("the pay button")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/bookings/[A-Z0-9]+/$"))
    booking = wait_for_booking(guest=guest, event_id=event.pk, status="confirmed")
    assert (booking.seats, booking.gross_cents) == (2, 50_00)


def test_booking_in_french(new_context, live_server, stripe_live, places, cook4chance):
    """One pass through the booking in French, switched to with the language switcher."""
    url = live_server.url
    event = EventFactory(commune=places["ixelles"], title="Souper aux chicons", capacity=6)
    guest = UserFactory(email="camille@example.org")
    page = new_context(locale="fr-BE").new_page()
    log_in(page, url, email=guest.email)
    page.goto(f"{url}/en/events/{event.pk}/")
    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(rf"/fr/events/{event.pk}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    panel = page.locator(".booking-panel")
    expect(panel.get_by_role("heading")).to_have_text("Réserver une place")
    expect(panel).to_contain_text("25,00\xa0€")
    axe = AxeAudit(url)
    axe.check(page, "event detail in French")
    choose_seats_and_continue(page, url, event_id=event.pk, seats=2, lang="fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payer votre réservation")
    axe.check(page, "checkout in French", exclude=FAKE_CARD_ELEMENT)
    booking = pay_and_see_confirmed(page, guest=guest, event_id=event.pk, lang="fr")
    assert booking.gross_cents == 50_00
    page.goto(f"{url}{url_for('bookings:mine', lang='fr')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes réservations")
    row = page.locator("#my-bookings tbody tr").filter(has_text="Souper aux chicons")
    expect(row).to_contain_text("Confirmée")
    expect(row).to_contain_text("50,00\xa0€")
    axe.assert_clean()
