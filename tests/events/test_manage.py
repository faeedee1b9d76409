"""Only the host manages an event (staff are not hosts: see test_staff_powers.py): edit, preview, publish, cancel, "My events"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.signals import event_cancelled
from tests.factories import EventFactory

from .helpers import event_payload

pytestmark = pytest.mark.django_db

MANAGE_VIEWS = [
    ("events:edit", "get"),
    ("events:edit", "post"),
    ("events:preview", "get"),
    ("events:publish", "post"),
    ("events:cancel", "get"),
    ("events:cancel", "post"),
]


@pytest.mark.parametrize(("name", "method"), MANAGE_VIEWS)
def test_someone_else_gets_404_and_changes_nothing(client, event, user, name, method):
    client.force_login(user)
    url = reverse(name, kwargs={"pk": event.pk})
    data = event_payload(city=event.city, commune=event.commune, title="Hijacked")
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.title != "Hijacked"
    assert event.status == Event.Status.PUBLISHED


@pytest.mark.parametrize(("name", "method"), MANAGE_VIEWS)
def test_logged_out_visitor_is_sent_to_login(client, event, name, method):
    url = reverse(name, kwargs={"pk": event.pk})
    response = client.post(url) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_host_cancels_and_bookings_hear_about_it_after_commit(
    client, event, host, django_capture_on_commit_callbacks
):
    received = []

    def handler(sender, event_id, **kwargs):
        received.append(event_id)

    event_cancelled.connect(handler)
    try:
        client.force_login(host)
        confirm = client.get(reverse("events:cancel", kwargs={"pk": event.pk}))
        assert confirm.status_code == 200
        assert "refunded" in confirm.content.decode()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(reverse("events:cancel", kwargs={"pk": event.pk}))
        assert response["Location"] == reverse("events:mine")
        assert len(callbacks) == 1
        assert received == [event.pk]
        event.refresh_from_db()
        assert event.status == Event.Status.CANCELLED
        assert event.cancelled_at is not None

        # Cancelling again changes nothing and tells no one twice.
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("events:cancel", kwargs={"pk": event.pk}))
        assert received == [event.pk]
    finally:
        event_cancelled.disconnect(handler)

    # A cancelled event is gone from the list and can no longer be edited.
    assert event.title not in client.get(reverse("events:list")).content.decode()
    response = client.post(
        reverse("events:edit", kwargs={"pk": event.pk}),
        event_payload(city=event.city, commune=event.commune),
    )
    assert response.status_code == 400
    assert "can no longer be edited" in response.content.decode()


def test_publish_refuses_a_draft_whose_start_has_passed(client, host, ixelles):
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT)
    Event.objects.filter(pk=draft.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(host)
    response = client.post(reverse("events:publish", kwargs={"pk": draft.pk}), follow=True)
    assert "The start is in the past" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_publish_is_post_only(client, host, ixelles):
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT)
    client.force_login(host)
    assert client.get(reverse("events:publish", kwargs={"pk": draft.pk})).status_code == 405
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_my_events_lists_drafts_published_and_cancelled_with_links(client, host, ixelles, user):
    draft = EventFactory(host=host, commune=ixelles, title="My draft", status=Event.Status.DRAFT)
    published = EventFactory(host=host, commune=ixelles, title="My dinner")
    EventFactory(host=host, commune=ixelles, title="My cancelled", status=Event.Status.CANCELLED)
    EventFactory(host=user, commune=ixelles, title="Someone else's")
    client.force_login(host)
    response = client.get(reverse("events:mine"))
    html = response.content.decode()
    assert {e.title for e in response.context["events"]} == {
        "My draft",
        "My dinner",
        "My cancelled",
    }
    assert "Someone else" not in html
    assert reverse("events:edit", kwargs={"pk": published.pk}) in html
    assert reverse("events:cancel", kwargs={"pk": published.pk}) in html
    assert reverse("events:preview", kwargs={"pk": draft.pk}) in html
    assert "Cancelled" in html


def test_my_events_needs_login(client, db):
    assert client.get(reverse("events:mine")).status_code == 302
