"""The event services' contracts, called directly."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events import services
from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def data_for(event, **changes):
    fields = {
        name: getattr(event, name)
        for name in services.EventData.__dataclass_fields__
        if name != "cancellation_deadline"
    }
    fields.update(changes)
    return services.EventData(**fields)


def test_publish_twice_changes_nothing(host, ixelles):
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT, published_at=None)
    first = services.event_publish(event_id=draft.pk, actor=host)
    published_at = first.published_at
    second = services.event_publish(event_id=draft.pk, actor=host)
    assert second.status == Event.Status.PUBLISHED
    assert second.published_at == published_at


def test_statuses_only_move_forward(event, host):
    services.event_cancel(event_id=event.pk, actor=host)
    with pytest.raises(ValidationError) as raised:
        services.event_publish(event_id=event.pk, actor=host)
    assert raised.value.code == "not_publishable"
    with pytest.raises(ValidationError) as raised:
        services.event_update(event_id=event.pk, actor=host, data=data_for(event))
    assert raised.value.code == "not_editable"


def test_completed_event_cannot_be_cancelled(event, host):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.COMPLETED)
    with pytest.raises(ValidationError) as raised:
        services.event_cancel(event_id=event.pk, actor=host)
    assert raised.value.code == "not_cancellable"


def test_services_refuse_someone_else(event):
    stranger = UserFactory()
    for call in (services.event_cancel, services.event_publish):
        with pytest.raises(PermissionDenied):
            call(event_id=event.pk, actor=stranger)
    with pytest.raises(PermissionDenied):
        services.event_update(event_id=event.pk, actor=stranger, data=data_for(event, title="x"))
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_update_keeps_an_explicit_cancellation_deadline_and_defaults_an_empty_one(event, host):
    starts_at = timezone.now() + timedelta(days=3)
    updated = services.event_update(
        event_id=event.pk,
        actor=host,
        data=data_for(
            event,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            booking_deadline=starts_at - timedelta(hours=1),
        ),
    )
    assert updated.cancellation_deadline == starts_at - timedelta(hours=48)


def test_create_reports_every_rule_broken_at_once(host, ixelles):
    now = timezone.now()
    template = EventFactory.build(host=host, commune=ixelles)
    data = data_for(
        template,
        starts_at=now - timedelta(hours=1),
        ends_at=now - timedelta(hours=2),
        booking_deadline=now,
    )
    with pytest.raises(ValidationError) as raised:
        services.event_create(host=host, data=data)
    codes = {field: [e.code for e in errors] for field, errors in raised.value.error_dict.items()}
    assert codes == {
        "starts_at": ["start_in_past"],
        "ends_at": ["end_before_start"],
        "booking_deadline": ["booking_deadline_after_start"],
    }
    assert Event.objects.count() == 0
