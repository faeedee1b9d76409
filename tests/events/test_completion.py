"""A beat task completes published events once their end has passed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services, tasks
from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _ended(**kwargs) -> Event:
    start = timezone.now() - timedelta(hours=5)
    return EventFactory(
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        booking_deadline=start - timedelta(hours=1),
        cancellation_deadline=start - timedelta(days=1),
        **kwargs,
    )


def test_ended_published_events_complete_and_others_stay(host, ixelles):
    ended = _ended(host=host, commune=ixelles)
    cancelled = _ended(host=host, commune=ixelles, status=Event.Status.CANCELLED)
    draft = _ended(host=host, commune=ixelles, status=Event.Status.DRAFT)
    running = EventFactory(
        host=host,
        commune=ixelles,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
        booking_deadline=timezone.now() - timedelta(hours=2),
        cancellation_deadline=timezone.now() - timedelta(days=1),
    )
    upcoming = EventFactory(host=host, commune=ixelles)

    assert tasks.complete_ended_events.apply().get() == 1

    statuses = dict(Event.objects.values_list("pk", "status"))
    assert statuses[ended.pk] == Event.Status.COMPLETED
    assert statuses[cancelled.pk] == Event.Status.CANCELLED
    assert statuses[draft.pk] == Event.Status.DRAFT
    assert statuses[running.pk] == Event.Status.PUBLISHED
    assert statuses[upcoming.pk] == Event.Status.PUBLISHED
    ended.refresh_from_db()
    assert ended.completed_at is not None


def test_completing_twice_changes_nothing(host, ixelles):
    ended = _ended(host=host, commune=ixelles)
    assert services.events_complete_ended() == [ended.pk]
    first = Event.objects.get(pk=ended.pk).completed_at
    assert services.events_complete_ended() == []
    assert Event.objects.get(pk=ended.pk).completed_at == first


def test_a_completed_event_can_no_longer_be_edited_or_cancelled(host, ixelles):
    ended = _ended(host=host, commune=ixelles)
    services.events_complete_ended()
    with pytest.raises(ValidationError) as raised:
        services.event_cancel(event_id=ended.pk, actor=host)
    assert raised.value.code == "not_cancellable"
