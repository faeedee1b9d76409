"""Keyword search on the event list, with the filters and sorting (issue 11)."""

import pytest
from django.urls import reverse

from tests.factories import CityFactory, CommuneFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(host, ixelles):
    return {
        "maqluba": EventFactory(
            host=host,
            commune=ixelles,
            title="Syrian feast: maqluba night",
            description="Upside-down rice and aubergines.",
            contribution_cents=2500,
        ),
        "catan": EventFactory(
            host=host,
            commune=ixelles,
            title="Catan and friends",
            description="Jeux de société pour débutants.",
            contribution_cents=0,
            kind="board_games",
        ),
        "stoof": EventFactory(
            host=host,
            commune=ixelles,
            title="Vlaamse avond",
            description="Stoofvlees met frietjes.",
            menu="Soep\nStoofvlees\nDame blanche",
            contribution_cents=3500,
        ),
    }


def titles(client, **params):
    response = client.get(reverse("events:list"), params)
    assert response.status_code == 200
    return [event.title for event in response.context["events"]]


def test_search_finds_title_description_and_menu(client, events):
    assert titles(client, q="maqluba") == ["Syrian feast: maqluba night"]
    assert titles(client, q="aubergines") == ["Syrian feast: maqluba night"]
    assert titles(client, q="dame blanche") == ["Vlaamse avond"]


def test_search_needs_every_word(client, events):
    assert titles(client, q="maqluba catan") == []


def test_search_is_case_insensitive(client, events):
    assert titles(client, q="CATAN") == ["Catan and friends"]


def test_search_combines_with_the_filters(client, events, host):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    EventFactory(
        host=host,
        commune=CommuneFactory(city=dublin, name="Rathmines"),
        title="Irish maqluba night",
    )
    brussels = events["maqluba"].city
    assert sorted(titles(client, q="maqluba")) == [
        "Irish maqluba night",
        "Syrian feast: maqluba night",
    ]
    assert titles(client, q="maqluba", city=brussels.pk) == ["Syrian feast: maqluba night"]
    assert titles(client, q="maqluba", city=dublin.pk) == ["Irish maqluba night"]


def test_sort_by_price_then_date(client, events):
    assert titles(client, sort="price") == [
        "Catan and friends",
        "Syrian feast: maqluba night",
        "Vlaamse avond",
    ]


def test_an_unknown_sort_falls_back_to_date(client, events):
    assert titles(client, sort="nonsense") == titles(client)


def test_no_match_says_so_with_the_words(client, events):
    html = client.get(reverse("events:list"), {"q": "sushi"}).content.decode()
    assert "No upcoming event matches “sushi”" in html


def test_filters_fold_behind_a_count_of_the_active_ones(client, events):
    html = client.get(reverse("events:list")).content.decode()
    assert '<details class="filters-panel">' in html
    assert ">Filters</summary>" in html
    html = client.get(
        reverse("events:list"), {"kind": "dinner", "cook4chance": "on", "q": "x"}
    ).content.decode()
    assert "Filters (2)</summary>" in html
    assert 'method="get"' in html


@pytest.mark.postgres
def test_postgres_search_stems_french_and_dutch_words(client, events):
    assert titles(client, q="sociétés") == ["Catan and friends"]  # "société"
    assert titles(client, q="débutant") == ["Catan and friends"]  # "débutants"
    assert titles(client, q="avonden") == ["Vlaamse avond"]  # Dutch plural
    assert titles(client, q="feasts") == ["Syrian feast: maqluba night"]


@pytest.mark.postgres
def test_postgres_search_takes_a_title_prefix(client, events):
    assert titles(client, q="maqlu") == ["Syrian feast: maqluba night"]


def test_search_keeps_the_query_count_constant(
    client, host, ixelles, django_assert_max_num_queries
):
    for n in range(15):
        EventFactory(host=host, commune=ixelles, title=f"Pasta night {n}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:list"), {"q": "pasta", "sort": "price"})
    assert len(response.context["events"]) == 12
