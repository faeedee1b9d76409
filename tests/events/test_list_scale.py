"""The event list and host page stay bounded as the number of events grows: a capped count,
bounded pages, a capped host page, and the list's filters served by an index."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events import views
from events.models import Event, Kind
from events.selectors import event_list_upcoming
from events.templatetags import event_tags
from tests.factories import CommuneFactory, EventFactory

pytestmark = pytest.mark.django_db


def many_events(*, count, host, communes, kinds=(Kind.DINNER,)):
    now = timezone.now()
    events = []
    for i in range(count):
        start = now + timedelta(days=1, minutes=i)
        events.append(
            EventFactory.build(
                host=host,
                commune=communes[i % len(communes)],
                kind=kinds[i % len(kinds)],
                title=f"Scale dinner {i}",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                booking_deadline=start - timedelta(hours=2),
                cancellation_deadline=start - timedelta(hours=48),
            )
        )
    return Event.objects.bulk_create(events)


def test_the_count_stops_at_the_cap_and_says_so(client, host, ixelles, monkeypatch):
    monkeypatch.setattr(views, "EVENTS_LIST_MAX_ROWS", 5)
    many_events(count=8, host=host, communes=[ixelles])

    response = client.get("/en/events/")

    html = response.content.decode()
    assert "More than 5 upcoming events" in html
    page = response.context["page_obj"]
    assert page.paginator.capped
    assert page.paginator.num_pages == 1
    assert len(page.object_list) == 5  # the sixth row only says "more"
    assert "Scale dinner 4" in html and "Scale dinner 5" not in html


def test_under_the_cap_the_count_is_exact(client, host, ixelles):
    many_events(count=3, host=host, communes=[ixelles])
    response = client.get("/en/events/")
    assert "3 upcoming events" in response.content.decode()
    assert not response.context["page_obj"].paginator.capped


def test_no_page_skips_more_rows_than_the_cap(client, host, ixelles, monkeypatch):
    monkeypatch.setattr(views, "EVENTS_LIST_MAX_ROWS", 24)
    many_events(count=40, host=host, communes=[ixelles])
    response = client.get("/en/events/", {"page": 99})  # out of range: the last page
    page = response.context["page_obj"]
    assert page.number == 2
    assert [e.title for e in page.object_list][-1] == "Scale dinner 23"


def test_cards_link_to_their_event_page(client, event):
    html = client.get("/en/events/").content.decode()
    assert f'<a href="{event.get_absolute_url()}">{event.title}</a>' in html


def test_the_host_page_shows_the_next_events_only(client, host, ixelles):
    many_events(count=event_tags.HOST_PAGE_EVENTS + 3, host=host, communes=[ixelles])
    response = client.get(f"/en/hosts/{host.pk}/")
    html = response.content.decode()
    assert html.count('class="card event-card') == event_tags.HOST_PAGE_EVENTS
    assert "Scale dinner 0" in html
    assert f"Scale dinner {event_tags.HOST_PAGE_EVENTS}" not in html
    assert "More events follow these" in html


@pytest.mark.postgres
def test_a_commune_and_kind_filter_reads_its_index(host, brussels):
    """EXPLAIN at a few thousand events: the list's commune + kind filter uses the partial
    index instead of walking every upcoming event."""
    communes = [CommuneFactory(city=brussels, name=f"Commune {i}") for i in range(10)]
    many_events(count=3000, host=host, communes=communes, kinds=list(Kind))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_event")
    plan = event_list_upcoming(commune=communes[3], kind=Kind.BOARD_GAMES)[:12].explain()
    assert "event_pub_commune_kind_idx" in plan
