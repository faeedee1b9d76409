"""A guest on a phone, 390 px wide (issue 11): one-row header with a menu that works without
JavaScript, filters folded behind "Filters (n)", a sticky "Book · €25" bar; screenshots of
home, list and event page; search in the three languages."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import CityFactory, CommuneFactory, EventFactory, UserFactory

from .conftest import PHONE
from .helpers import AxeAudit, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lived_in(db):
    brussels = CityFactory(name_fr="Bruxelles", name_nl="Brussel")
    ixelles = CommuneFactory(city=brussels, name="Ixelles", name_fr="Ixelles", name_nl="Elsene")
    host = UserFactory(email="amira.host@example.org", first_name="Amira")
    main = EventFactory(
        host=host,
        commune=ixelles,
        title="Syrian feast: maqluba night",
        description="Upside-down rice, aubergines and stories from Damascus.",
        menu="Mezze\nMaqluba\nKnafeh",
    )
    for title in ("Catan and Belgian beers", "Soup Sunday for neighbours", "Vegan mezze"):
        EventFactory(host=host, commune=ixelles, title=title, contribution_cents=1200)
    return main


def assert_header_fits_one_row(page: Page) -> None:
    header = page.locator(".site-header-inner")
    brand = header.locator(".brand").bounding_box()
    switcher = header.locator(".language-switcher").bounding_box()
    menu = header.locator(".site-menu > summary").bounding_box()
    for box in (brand, switcher, menu):
        assert box is not None and box["width"] > 0
    # One row: every piece's vertical middle lies inside each other's height.
    middles = [box["y"] + box["height"] / 2 for box in (brand, switcher, menu)]
    assert max(middles) - min(middles) < 12, (brand, switcher, menu)
    assert menu["x"] + menu["width"] <= PHONE["width"], menu
    assert page.locator(".site-header").bounding_box()["height"] < 72
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".site-nav")).to_be_hidden()


def test_phone_home_list_and_event_page(new_context, live_server, screenshot_dir, lived_in):
    url = live_server.url
    page = new_context(viewport=PHONE).new_page()
    axe = AxeAudit(url)

    page.goto(f"{url}/en/")
    assert_header_fits_one_row(page)
    screenshot(page, screenshot_dir, "home-phone")
    # The menu is a <details>: it opens without JavaScript and lists the links.
    page.locator(".site-menu > summary").click()
    menu = page.locator(".site-menu-panel")
    expect(menu.get_by_role("link", name="Find an event")).to_be_visible()
    expect(menu.get_by_role("link", name="Sign up")).to_be_visible()
    expect(page.locator(".language-switcher")).to_be_visible()
    axe.check(page, "home on a phone, menu open")
    menu.get_by_role("link", name="Find an event").click()
    expect(page).to_have_url(re.compile(r"/en/events/$"))

    assert_header_fits_one_row(page)
    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.get_by_label("City")).to_be_hidden()  # folded behind "Filters"
    first_card = page.locator(".event-card").first
    assert first_card.bounding_box()["y"] < PHONE["height"], "the first event is above the fold"
    screenshot(page, screenshot_dir, "list-phone")
    axe.check(page, "event list on a phone")
    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_label("City")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Dinner")
    page.get_by_role("button", name="Show events").click()
    expect(page).to_have_url(re.compile(r"kind=dinner"))
    expect(page.locator(".filters-panel > summary")).to_have_text("Filters (1)")

    page.get_by_label("Search").fill("maqluba")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".event-card")).to_have_count(1)
    page.get_by_role("link", name="Syrian feast: maqluba night").click()

    assert_header_fits_one_row(page)
    bar = page.locator("[data-book-bar]")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("Book · €25.00")
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] + 1, "the bar sits in the first screen"
    assert page.locator("#booking-panel").bounding_box()["y"] > PHONE["height"]
    screenshot(page, screenshot_dir, "event-phone")
    axe.check(page, "event page on a phone")
    bar.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#booking-panel$"))
    panel = page.locator("#booking-panel").bounding_box()
    assert 0 <= panel["y"] < PHONE["height"], panel
    axe.assert_clean()


@pytest.mark.parametrize(
    ("language", "search", "place", "filters"),
    [
        ("en", "Search", "Ixelles, Brussels", "Filters"),
        ("fr", None, "Ixelles, Bruxelles", None),
        ("nl", None, "Elsene, Brussel", None),
    ],
)
def test_search_in_the_three_languages(
    new_context, live_server, lived_in, language, search, place, filters
):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/{language}/events/?q=aubergines")
    expect(page.locator("html")).to_have_attribute("lang", language)
    cards = page.locator(".event-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Syrian feast: maqluba night")
    expect(cards.first).to_contain_text(place)
    # From 640 px the filters are open, no "Filters" control in the way.
    expect(page.locator(".filters-panel > summary")).to_be_hidden()
    expect(page.locator("#id_city")).to_be_visible()
    expect(page.locator(".site-menu")).to_be_hidden()
    expect(page.locator(".site-nav")).to_be_visible()
    page.goto(f"{live_server.url}/{language}/events/?sort=price")
    titles = page.locator(".event-card .card-title").all_inner_texts()
    assert titles[-1] == "Syrian feast: maqluba night", titles
