"""Finding events: upcoming published only, filters, sorting, pagination, cards, query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Event, Kind
from tests.factories import CityFactory, CommuneFactory, EventFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/en/events/"


def titles(response) -> list[str]:
    return [event.title for event in response.context["events"]]


def test_list_url_is_public():
    with translation.override("en"):
        assert reverse("events:list") == LIST_URL


def test_anyone_sees_upcoming_published_events_sorted_by_start(client, ixelles):
    now = timezone.now()
    later = EventFactory(commune=ixelles, title="Later", starts_at=now + timedelta(days=9))
    sooner = EventFactory(commune=ixelles, title="Sooner", starts_at=now + timedelta(days=2))
    EventFactory(commune=ixelles, title="A draft", status=Event.Status.DRAFT)
    EventFactory(commune=ixelles, title="Cancelled", status=Event.Status.CANCELLED)
    past = EventFactory(commune=ixelles, title="Past", starts_at=now + timedelta(days=1))
    Event.objects.filter(pk=past.pk).update(
        starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=20)
    )

    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert titles(response) == [sooner.title, later.title]
    html = response.content.decode()
    assert "A draft" not in html
    assert "Cancelled" not in html


def test_card_shows_what_a_guest_needs(client, ixelles):
    EventFactory(
        commune=ixelles,
        title="Maqluba night",
        kind=Kind.DINNER,
        starts_at=timezone.make_aware(
            timezone.datetime(timezone.now().year + 1, 3, 14, 19, 30), ixelles.city.tz
        ),
        contribution_cents=2500,
        pledge_percent=40,
        capacity=8,
        seats_reserved=2,
    )
    html = client.get(LIST_URL).content.decode()
    assert "Maqluba night" in html
    assert "Dinner" in html
    assert "Ixelles" in html
    assert "14 Mar" in html and "19:30" in html
    assert "€25.00 per seat" in html
    assert "6 seats left" in html
    assert "Cook4Chance: €10.00 per seat to Kiron" in html


def test_card_local_time_follows_the_city_time_zone(client):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    howth = CommuneFactory(city=dublin, name="Howth")
    EventFactory(
        commune=howth,
        starts_at=timezone.make_aware(
            timezone.datetime(timezone.now().year + 1, 1, 10, 19, 0), dublin.tz
        ),
    )
    html = client.get(LIST_URL).content.decode()
    assert "19:00" in html
    assert "20:00" not in html  # what Brussels' clock would say


def test_card_in_french_formats_money_the_french_way(client, ixelles):
    EventFactory(commune=ixelles, contribution_cents=2500, pledge_percent=0)
    html = client.get("/fr/events/").content.decode()
    assert "25,00 €" in html


def test_seat_states_sold_out_and_few_left(client, ixelles):
    EventFactory(commune=ixelles, title="Full", capacity=4, seats_reserved=4)
    EventFactory(commune=ixelles, title="Almost", capacity=8, seats_reserved=6)
    html = client.get(LIST_URL).content.decode()
    assert "Sold out" in html
    assert "Only 2 seats left" in html


def test_free_event_without_pledge_has_no_badge(client, ixelles):
    EventFactory(commune=ixelles, contribution_cents=0, pledge_percent=100)
    html = client.get(LIST_URL).content.decode()
    assert "Free" in html
    assert "badge-c4c" not in html


def test_filters(client, ixelles):
    brussels = ixelles.city
    uccle = CommuneFactory(city=brussels, name="Uccle")
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    howth = CommuneFactory(city=dublin, name="Howth")
    now = timezone.now()
    dinner = EventFactory(
        commune=ixelles, title="Ixelles dinner", contribution_cents=3000, pledge_percent=50
    )
    games = EventFactory(
        commune=uccle,
        title="Uccle games",
        kind=Kind.BOARD_GAMES,
        contribution_cents=0,
        pledge_percent=0,
        starts_at=now + timedelta(days=20),
    )
    singles = EventFactory(
        commune=howth,
        title="Howth singles",
        kind=Kind.SINGLES,
        contribution_cents=1500,
        pledge_percent=0,
        starts_at=now + timedelta(days=3),
    )

    def get(**params):
        return set(titles(client.get(LIST_URL, params)))

    assert get() == {dinner.title, games.title, singles.title}
    assert get(city=dublin.pk) == {singles.title}
    assert get(commune=uccle.pk) == {games.title}
    assert get(kind="board_games") == {games.title}
    assert get(max_contribution="20") == {games.title, singles.title}
    assert get(max_contribution="30") == {dinner.title, games.title, singles.title}
    assert get(max_contribution="0") == {games.title}
    assert get(cook4chance="on") == {dinner.title}
    in_ten_days = timezone.localdate() + timedelta(days=10)
    assert get(date_from=in_ten_days.isoformat()) == {games.title}
    assert get(date_to=(timezone.localdate() + timedelta(days=7)).isoformat()) == {
        dinner.title,
        singles.title,
    }
    assert get(city=brussels.pk, kind="dinner", cook4chance="on") == {dinner.title}


def test_invalid_filter_is_ignored_not_fatal(client, event):
    response = client.get(LIST_URL, {"max_contribution": "lots", "kind": "rave"})
    assert response.status_code == 200
    assert titles(response) == [event.title]


def test_pagination_twelve_per_page_keeps_filters(client, ixelles):
    now = timezone.now()
    for day in range(1, 15):
        EventFactory(commune=ixelles, title=f"Event {day:02d}", starts_at=now + timedelta(days=day))
    first = client.get(LIST_URL, {"kind": "dinner"})
    assert len(first.context["events"]) == 12
    assert titles(first)[0] == "Event 01"
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert "?kind=dinner&amp;page=2" in html
    second = client.get(LIST_URL, {"kind": "dinner", "page": 2})
    assert titles(second) == ["Event 13", "Event 14"]
    # A page number out of range shows the last page rather than an error.
    assert client.get(LIST_URL, {"page": 99}).status_code == 200


def _list_query_count(client, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(100) as captured:
        response = client.get(LIST_URL)
    assert len(response.context["events"]) == min(n, 12)
    return len(captured.captured_queries)


def test_list_runs_the_same_number_of_queries_for_1_and_50_events(
    client, ixelles, django_assert_max_num_queries
):
    EventFactory(commune=ixelles)
    one = _list_query_count(client, django_assert_max_num_queries, 1)
    for _ in range(49):
        EventFactory(commune=ixelles)
    fifty = _list_query_count(client, django_assert_max_num_queries, 50)
    assert one == fifty
    with django_assert_max_num_queries(one):
        client.get(LIST_URL, {"page": 5})


def test_commune_filter_groups_communes_by_city(client, ixelles):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    CommuneFactory(city=dublin, name="Howth")
    html = client.get(LIST_URL).content.decode()
    brussels_group = html.index('<optgroup label="Brussels">')
    dublin_group = html.index('<optgroup label="Dublin">')
    assert brussels_group < html.index(">Ixelles</option>") < dublin_group
    assert dublin_group < html.index(">Howth</option>")
