"""City and commune names in the visitor's language (issue 11): Bruxelles, Brussel, Elsene…"""

import importlib

import pytest
from django.apps import apps as global_apps
from django.utils import translation

from events.demo import seed_demo_events
from events.models import City, Commune
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    seed_demo_events()
    return Commune.objects.get(city__slug="brussels", slug="ixelles")


def test_names_follow_the_active_language(demo):
    brussels = City.objects.get(slug="brussels")
    assert [str(brussels), brussels.local_name] == ["Brussels", "Brussels"]
    with translation.override("fr"):
        assert str(brussels) == "Bruxelles"
        assert str(demo) == "Ixelles"
    with translation.override("nl"):
        assert str(brussels) == "Brussel"
        assert demo.local_name == "Elsene"
        assert Commune.objects.get(slug="molenbeek").local_name == "Sint-Jans-Molenbeek"
    dublin = City.objects.get(slug="dublin")
    with translation.override("fr"):
        assert str(dublin) == "Dublin"
        assert Commune.objects.get(city=dublin, slug="rathmines").local_name == "Rathmines"


@pytest.mark.parametrize(
    ("language", "place", "time_note"),
    [
        ("en", "Ixelles, Brussels", "(Brussels time)"),
        ("fr", "Ixelles, Bruxelles", "(heure de Bruxelles)"),
        ("nl", "Elsene, Brussel", "(tijd in Brussel)"),
    ],
)
def test_event_page_and_list_speak_the_visitors_language(client, demo, language, place, time_note):
    event = EventFactory(commune=demo)
    html = client.get(f"/{language}/events/{event.pk}/").content.decode()
    assert place in html
    assert time_note in html
    assert "heure de Brussels" not in html
    listing = client.get(f"/{language}/events/").content.decode()
    assert place in listing


def test_filter_and_form_choices_are_localised(client, demo):
    html = client.get("/nl/events/").content.decode()
    assert '<optgroup label="Brussel">' in html
    assert ">Elsene</option>" in html


def test_the_migration_names_already_seeded_communes(demo):
    Commune.objects.update(name_fr="", name_nl="")
    City.objects.update(name_fr="", name_nl="")
    migration = importlib.import_module("events.migrations.0005_place_names_in_french_and_dutch")
    migration.name_seeded_places(global_apps, None)
    demo.refresh_from_db()
    assert (demo.name_fr, demo.name_nl) == ("Ixelles", "Elsene")
    assert City.objects.get(slug="brussels").name_nl == "Brussel"


def test_the_host_page_names_the_commune_in_the_visitors_language(client, demo):
    event = EventFactory(commune=demo)
    profile = event.host.profile if hasattr(event.host, "profile") else None
    if profile is None:
        from accounts.models import Profile

        profile = Profile.objects.create(user=event.host, display_name="Nour")
    profile.city = demo.city
    profile.commune = demo
    profile.save()
    html = client.get(f"/nl/hosts/{event.host_id}/").content.decode()
    assert "Elsene, Brussel" in html
