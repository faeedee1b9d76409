import io

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.demo import seed_demo_events
from events.models import City, Commune, Event, Kind

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_upcoming_and_idempotent(client):
    out = io.StringIO()
    first = seed_demo_events(stdout=out)
    counts = (City.objects.count(), Commune.objects.count(), Event.objects.count())
    second = seed_demo_events()
    assert (City.objects.count(), Commune.objects.count(), Event.objects.count()) == counts
    assert first == second

    assert set(City.objects.values_list("name", "timezone")) == {
        ("Brussels", "Europe/Brussels"),
        ("Dublin", "Europe/Dublin"),
    }
    brussels_communes = set(
        Commune.objects.filter(city__slug="brussels").values_list("name", flat=True)
    )
    assert {"Ixelles", "Uccle", "Bruxelles", "Schaerbeek", "Woluwe-Saint-Pierre", "Saint-Gilles",
            "Molenbeek", "Hoeilaart", "Grimbergen"} <= brussels_communes  # fmt: skip
    assert Commune.objects.filter(city__slug="dublin").count() >= 5

    events = Event.objects.select_related("commune", "city")
    assert events.count() >= 12
    assert all(e.status == Event.Status.PUBLISHED and e.starts_at > timezone.now() for e in events)
    assert all(e.commune.city_id == e.city_id for e in events)
    assert {e.kind for e in events} == set(Kind.values)
    assert any(e.contribution_cents == 0 for e in events)
    assert any(e.pledge_percent == 100 for e in events)
    assert any(e.pledge_percent == 0 and e.contribution_cents > 0 for e in events)
    assert len({e.commune_id for e in events}) >= 8

    # The returned logins work (load_demo_data prints them): verified email, known password.
    assert len(first["hosts"]) == 3
    for email in first["hosts"]:
        assert EmailAddress.objects.get(email=email).verified
        assert User.objects.get(email=email).check_password(first["password"])
    response = client.post(
        reverse("account_login"), {"login": first["hosts"][0], "password": first["password"]}
    )
    assert response.status_code == 302
    assert client.get(reverse("events:list")).context["page_obj"].paginator.count == events.count()
