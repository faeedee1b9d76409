"""The commune dropdowns offer only the chosen city's communes (static/js/commune-filter.js),
while the server keeps rejecting a commune of another city."""

import json
import os
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings

from accounts.models import Profile
from tests.factories import CityFactory, CommuneFactory

PROFILE_URL = "/en/profile/"
CREATE_URL = "/en/events/new/"
LIST_URL = "/en/events/"


@pytest.fixture
def places(db):
    brussels = CityFactory()
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    return {
        "brussels": brussels,
        "dublin": dublin,
        "ixelles": CommuneFactory(city=brussels, name="Ixelles"),
        "uccle": CommuneFactory(city=brussels, name="Uccle"),
        "rathmines": CommuneFactory(city=dublin, name="Rathmines"),
    }


def _commune_select_data(form) -> dict:
    attrs = form.fields["commune"].widget.attrs
    assert attrs["data-city-field"] == "city"
    return json.loads(attrs["data-city-communes"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, form_name",
    [(PROFILE_URL, "form"), (CREATE_URL, "form"), (LIST_URL, "filter_form")],
)
def test_pages_load_the_script_and_tell_it_which_commune_is_where(
    client, user, places, url, form_name
):
    client.force_login(user)
    response = client.get(url)
    html = response.content.decode()
    assert '<script src="/static/js/commune-filter.js" defer></script>' in html
    form = response.context[form_name]
    by_city = _commune_select_data(form)
    assert by_city == {
        str(places["brussels"].pk): [places["ixelles"].pk, places["uccle"].pk],
        str(places["dublin"].pk): [places["rathmines"].pk],
    }
    # Without JavaScript every commune is still offered, grouped by city.
    assert '<optgroup label="Dublin">' in html
    assert f'<option value="{places["rathmines"].pk}">Rathmines</option>' in html


@pytest.mark.django_db
def test_server_still_rejects_a_commune_of_another_city(client, user, places):
    client.force_login(user)
    response = client.post(
        PROFILE_URL,
        {
            "display_name": "Hana",
            "bio": "",
            "city": str(places["dublin"].pk),
            "commune": str(places["ixelles"].pk),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["commune"] == ["Choose a commune of your city."]


# ---------------------------------------------------------------- in a real browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@contextmanager
def browser_logged_in_as(live_server, client, user):
    """A Chromium page signed in as ``user``. Seed the database BEFORE entering: Playwright runs
    an event loop in this thread, and an ORM call inside would open a connection of its own
    that is never closed (and then blocks dropping the Postgres test database)."""
    client.force_login(user)
    session_cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        context = browser.new_context()
        context.set_default_timeout(15_000)
        context.add_cookies([session_cookie])
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _offered(page) -> list[str]:
    return page.eval_on_selector_all(
        "select[name=commune] option", "options => options.map(o => o.textContent.trim())"
    )


def _chosen(page) -> str:
    return page.eval_on_selector("select[name=commune]", "s => s.value")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_choosing_a_city_hides_the_other_cities_communes(live_server, client, user, places):
    with browser_logged_in_as(live_server, client, user) as page:
        page.goto(live_server.url + CREATE_URL)
        assert _offered(page)[1:] == ["Ixelles", "Uccle", "Rathmines"]  # no city yet: all

        page.select_option("select[name=city]", label="Dublin")
        assert _offered(page)[1:] == ["Rathmines"]

        page.select_option("select[name=city]", label="Brussels")
        assert _offered(page)[1:] == ["Ixelles", "Uccle"]
        page.select_option("select[name=commune]", label="Uccle")

        # A commune of the old city does not stay chosen when the city changes.
        page.select_option("select[name=city]", label="Dublin")
        assert _chosen(page) == ""


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_profile_page_opens_filtered_to_the_saved_city(live_server, client, user, places):
    Profile.objects.create(user=user, city=places["brussels"], commune=places["uccle"])
    uccle = str(places["uccle"].pk)
    with browser_logged_in_as(live_server, client, user) as page:
        page.goto(live_server.url + PROFILE_URL)
        assert _offered(page)[1:] == ["Ixelles", "Uccle"]
        assert _chosen(page) == uccle

        # Saving keeps the commune the person had.
        page.fill("input[name=display_name]", "Hana")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(f"{live_server.url}/en/hosts/{user.pk}/")
        page.goto(live_server.url + PROFILE_URL)
        assert _chosen(page) == uccle
        assert page.input_value("input[name=display_name]") == "Hana"
