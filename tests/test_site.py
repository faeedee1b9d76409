import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_unknown_url_gets_friendly_404(client):
    response = client.get("/en/this-page-does-not-exist/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_health_check_touches_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"ok": True}


# ---------------------------------------------------------------- home page


@pytest.fixture
def dublin(db):
    from tests.factories import CityFactory

    return CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")


@pytest.fixture
def rathmines(dublin):
    from tests.factories import CommuneFactory

    return CommuneFactory(city=dublin, name="Rathmines")


def test_home_explains_meetsies_and_cook4chance(client, db):
    html = client.get(reverse("home")).content.decode()
    assert "Cook4Chance" in html
    assert "Kiron" in html
    assert "How hosting works" in html
    assert "Set a date and a contribution" in html
    assert "Guests book and pay online" in html
    assert "Give all or part to Kiron" in html


def test_home_shows_upcoming_events_in_brussels_by_default(client, event, rathmines):
    from tests.factories import EventFactory

    dublin_event = EventFactory(commune=rathmines, title="Irish stew night")

    html = client.get(reverse("home")).content.decode()

    assert "Upcoming in Brussels" in html
    assert event.title in html
    assert dublin_event.title not in html


def test_home_city_can_be_chosen(client, event, rathmines):
    from tests.factories import EventFactory

    EventFactory(commune=rathmines, title="Irish stew night")

    html = client.get(reverse("home"), {"city": "dublin"}).content.decode()

    assert "Upcoming in Dublin" in html
    assert "Irish stew night" in html
    assert event.title not in html


def test_home_uses_the_signed_in_persons_city(client, event, rathmines):
    from tests.factories import EventFactory, ProfileFactory

    EventFactory(commune=rathmines, title="Irish stew night")
    profile = ProfileFactory(city=rathmines.city)
    client.force_login(profile.user)

    html = client.get(reverse("home")).content.decode()

    assert "Upcoming in Dublin" in html
    assert "Irish stew night" in html


def test_home_hides_drafts_past_and_cancelled_events(client, ixelles):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event
    from tests.factories import EventFactory

    EventFactory(commune=ixelles, title="Draft dinner", status=Event.Status.DRAFT)
    EventFactory(commune=ixelles, title="Cancelled dinner", status=Event.Status.CANCELLED)
    past = timezone.now() - timedelta(days=2)
    EventFactory(
        commune=ixelles,
        title="Past dinner",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
        booking_deadline=past - timedelta(hours=2),
        cancellation_deadline=past - timedelta(days=2),
    )
    EventFactory(commune=ixelles, title="Open dinner")

    html = client.get(reverse("home")).content.decode()

    assert "Open dinner" in html
    for hidden in ("Draft dinner", "Cancelled dinner", "Past dinner"):
        assert hidden not in html


def test_home_shows_at_most_six_events_with_constant_queries(client, ixelles):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EventFactory

    def count_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("home")).content.decode()
        return len(queries), html

    EventFactory(commune=ixelles)
    with_one, html = count_queries()
    assert html.count('class="card event-card') == 1

    EventFactory.create_batch(49, commune=ixelles)
    with_fifty, html = count_queries()
    assert html.count('class="card event-card') == 6
    assert with_fifty == with_one


def test_home_without_any_city_still_renders(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No upcoming events here yet" in response.content.decode()


# ---------------------------------------------------------------- layout and accessibility


def test_every_page_has_skip_link_main_landmark_and_language_switcher(client, db):
    html = client.get(reverse("privacy")).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert 'class="language-switcher"' in html
    assert '<html lang="en">' in html


def test_navigation_for_a_signed_in_person(client, user):
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "Log out" in html
    assert "Log in" not in html


def test_footer_links_to_the_legal_pages(client, db):
    html = client.get(reverse("home")).content.decode()
    for name in ("privacy", "terms", "about_kiron"):
        assert f'href="{reverse(name)}"' in html


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("privacy", "double opt-in"),
        ("terms", "cancellation deadline"),
        ("about_kiron", "Every time the fund completes another €400"),
    ],
)
def test_static_pages_have_real_content(client, db, name, phrase):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert phrase in response.content.decode()


def test_server_error_page_is_self_contained(db):
    from django.test import RequestFactory

    from meetsies.views import server_error

    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_static_assets_are_served_locally(client, db):
    html = client.get(reverse("home")).content.decode()
    assert "https://" not in html.split("<body")[0]  # no CDN in the head
    assert client.get("/static/css/site.css").status_code == 200
    assert client.get("/static/img/event-placeholder.svg").status_code == 200


def test_home_links_to_all_events_of_the_chosen_city(client, event):
    html = client.get(reverse("home")).content.decode()
    link = f"{reverse('events:list')}?city={event.city.pk}"
    assert f'href="{link}"' in html
    listing = client.get(link).content.decode()
    assert event.title in listing
    assert "errorlist" not in listing


def test_english_short_dates_put_the_day_first():
    from datetime import date

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("en"):
        rendered = Template('{{ d|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"d": date(2026, 11, 25)})
        )
    assert rendered == "25/11/2026"
