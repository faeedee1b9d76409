"""The event page and its calendar file: public facts, private address, escaping, drafts."""

from datetime import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.factories import CityFactory, CommuneFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def detail(client, event):
    return client.get(reverse("events:detail", kwargs={"pk": event.pk}))


def test_detail_shows_everything_but_the_address_to_a_visitor(client, event):
    response = detail(client, event)
    assert response.status_code == 200
    html = response.content.decode()
    assert event.title in html
    assert "Ixelles, Brussels" in html
    assert "€25.00 per seat" in html
    assert "50% of each contribution (€12.50 per seat)" in html
    assert "Vegetarian" in html
    assert "English, French" in html
    assert event.address not in html
    assert "Rue du Bailli" not in html
    # The host, linking to their page, and the calendar download.
    assert reverse("accounts:host", kwargs={"user_id": event.host_id}) in html
    assert "Hana" in html
    assert reverse("events:ics", kwargs={"pk": event.pk}) in html


def test_detail_hides_the_address_from_other_logged_in_users(client, event, user):
    client.force_login(user)
    assert event.address not in detail(client, event).content.decode()


def test_host_sees_the_address_and_tools(client, event, host):
    client.force_login(host)
    html = detail(client, event).content.decode()
    assert "Rue du Bailli 12, 1050 Ixelles" in html
    assert reverse("events:edit", kwargs={"pk": event.pk}) in html
    assert reverse("events:cancel", kwargs={"pk": event.pk}) in html


def test_user_text_is_escaped(client, ixelles):
    host = UserFactory(first_name="<b>Bold</b>")
    event = EventFactory(
        host=host,
        commune=ixelles,
        title="<script>alert('title')</script>",
        description="Line one\n<script>alert('x')</script>",
        menu="<img src=x onerror=alert(1)>",
    )
    for response in (detail(client, event), client.get(reverse("events:list"))):
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>Bold</b>" not in html
    html = detail(client, event).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<p>Line one<br>" in html  # linebreaks still work on escaped text


def test_draft_is_invisible_to_others(client, host, ixelles, user):
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT)
    assert detail(client, draft).status_code == 404
    assert client.get(reverse("events:ics", kwargs={"pk": draft.pk})).status_code == 404
    client.force_login(user)
    assert detail(client, draft).status_code == 404
    client.force_login(host)
    assert detail(client, draft).status_code == 200


def test_unknown_event_is_404(client, db):
    assert client.get(reverse("events:detail", kwargs={"pk": 999})).status_code == 404


def test_cancelled_event_says_so(client, event):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert "This event was cancelled." in detail(client, event).content.decode()


def _ics(client, event):
    response = client.get(reverse("events:ics", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def test_ics_has_the_brussels_time_zone_and_no_address(client, ixelles):
    start = timezone.make_aware(datetime(timezone.now().year + 1, 7, 3, 19, 30), ixelles.city.tz)
    event = EventFactory(commune=ixelles, starts_at=start, title="Summer dinner")
    text = _ics(client, event)
    assert "DTSTART;TZID=Europe/Brussels:" in text
    assert f"DTSTART;TZID=Europe/Brussels:{start.year}0703T193000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Brussels" in text
    assert "SUMMARY:Summer dinner" in text
    assert "LOCATION:Ixelles\\, Brussels" in text
    assert "Bailli" not in text

    calendar = icalendar.Calendar.from_ical(text)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == start
    assert vevent.decoded("dtend") == event.ends_at


def test_ics_for_dublin_uses_dublin_time(client):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    howth = CommuneFactory(city=dublin, name="Howth")
    start = timezone.make_aware(datetime(timezone.now().year + 1, 1, 10, 19, 0), dublin.tz)
    event = EventFactory(commune=howth, starts_at=start)
    text = _ics(client, event)
    assert f"DTSTART;TZID=Europe/Dublin:{start.year}0110T190000" in text


def test_ics_for_the_host_includes_the_address(client, event, host):
    client.force_login(host)
    assert "Rue du Bailli 12" in _ics(client, event)
