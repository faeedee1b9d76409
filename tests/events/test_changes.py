"""event_update tells the apps above (``event_changed``, after commit) when a published event
moves in time or place, so booked guests can be told; drafts and typo fixes send nothing."""

from datetime import UTC, timedelta

import pytest

from events import services
from events.models import Event
from events.signals import event_changed
from tests.factories import CommuneFactory, EventFactory

pytestmark = pytest.mark.django_db


def data_for(event, **changes):
    fields = {
        name: getattr(event, name)
        for name in services.EventData.__dataclass_fields__
        if name != "cancellation_deadline"
    }
    fields.update(changes)
    return services.EventData(**fields)


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    event_changed.connect(receiver, dispatch_uid="tests.event_changed")
    yield calls
    event_changed.disconnect(dispatch_uid="tests.event_changed")


def test_moving_the_start_and_the_address_is_announced_after_commit(
    event, host, received, django_capture_on_commit_callbacks
):
    old_start, old_end = event.starts_at, event.ends_at
    new_start = old_start + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.event_update(
            event_id=event.pk,
            actor=host,
            data=data_for(
                event,
                starts_at=new_start,
                booking_deadline=new_start - timedelta(hours=2),
                address="Chaussée de Vleurgat 3, 1050 Ixelles",
                title="A better title",
            ),
        )
    assert received == []  # nothing before the commit
    for callback in callbacks:
        callback()

    [call] = received
    assert call["event_id"] == event.pk
    assert call["changes"] == {
        "starts_at": (old_start.astimezone(UTC).isoformat(), new_start.astimezone(UTC).isoformat()),
        "address": ("Rue du Bailli 12, 1050 Ixelles", "Chaussée de Vleurgat 3, 1050 Ixelles"),
    }
    assert "ends_at" not in call["changes"] and old_end == Event.objects.get().ends_at


def test_moving_to_another_commune_names_both(
    event, host, brussels, received, django_capture_on_commit_callbacks
):
    etterbeek = CommuneFactory(city=brussels, name="Etterbeek")
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event_id=event.pk, actor=host, data=data_for(event, commune=etterbeek)
        )
    [call] = received
    assert call["changes"] == {"commune": ("Ixelles", "Etterbeek")}


def test_the_same_moment_in_another_zone_is_no_change(
    event, host, brussels, received, django_capture_on_commit_callbacks
):
    local_start = event.starts_at.astimezone(brussels.tz)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event_id=event.pk, actor=host, data=data_for(event, starts_at=local_start)
        )
    assert received == []


def test_typo_fixes_send_nothing(event, host, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.event_update(
            event_id=event.pk,
            actor=host,
            data=data_for(
                event, title="Dinner, fixed", description="Home-made food, good company."
            ),
        )
    assert Event.objects.get().title == "Dinner, fixed"
    assert received == []
    assert callbacks == []


def test_drafts_send_nothing(host, ixelles, received, django_capture_on_commit_callbacks):
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT, published_at=None)
    new_start = draft.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event_id=draft.pk,
            actor=host,
            data=data_for(draft, starts_at=new_start, ends_at=new_start + timedelta(hours=3)),
        )
    assert Event.objects.get().starts_at == new_start
    assert received == []


def test_the_edit_page_warns_the_host_that_guests_will_be_emailed(client, event):
    from django.urls import reverse

    client.force_login(event.host)
    notice = "every guest with a confirmed booking gets an email"
    assert notice in client.get(reverse("events:edit", kwargs={"pk": event.pk})).content.decode()

    draft = EventFactory(host=event.host, commune=event.commune, status=Event.Status.DRAFT)
    assert (
        notice not in client.get(reverse("events:edit", kwargs={"pk": draft.pk})).content.decode()
    )
