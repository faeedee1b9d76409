"""Every write to events: create, update, publish, cancel.

Rules that need the database or the clock live here and raise ``ValidationError`` keyed by the
form field they concern (so views can show them next to the field), each with a ``code``.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import Actor

from .models import City, Commune, Event, EventChange
from .signals import event_cancelled, event_changed
from .transitions import event_transition


@dataclass(frozen=True, kw_only=True)
class EventData:
    """What a host decides about an event. Datetimes are aware; money is integer cents."""

    kind: str
    title: str
    description: str
    menu: str = ""
    dietary_options: list[str]
    languages: list[str]
    city: City
    commune: Commune
    address: str
    starts_at: datetime
    ends_at: datetime
    booking_deadline: datetime
    cancellation_deadline: datetime | None = None
    capacity: int
    contribution_cents: int
    pledge_percent: int

    @classmethod
    def from_cleaned_data(cls, cleaned: dict) -> "EventData":
        names = cls.__dataclass_fields__.keys()
        return cls(**{name: cleaned[name] for name in names if name in cleaned})


MODERATE_PERMISSION = "events.moderate_event"


def event_can_manage(*, user, event: Event) -> bool:
    """Only the host edits, previews, publishes and cancels an event on the site's pages.

    Staff are not hosts: ``is_staff`` opens the admin and nothing more (see
    ``event_can_moderate`` for the one thing the platform team may do).
    """
    return bool(user.is_authenticated and event.host_id == user.pk)


def event_can_moderate(*, user) -> bool:
    """Whether ``user`` may cancel any host's event, from the admin: the named permission
    ``events.moderate_event`` (superusers have every permission), not ``is_staff``."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(MODERATE_PERMISSION))


def _event_validate(data: EventData, *, now: datetime, seats_reserved: int = 0) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if data.commune.city_id != data.city.pk:
        add(
            "commune",
            _("%(commune)s is not in %(city)s. Choose a commune of the city.")
            % {"commune": data.commune.local_name, "city": data.city.local_name},
            "commune_not_in_city",
        )
    if data.starts_at <= now:
        add("starts_at", _("The start must be in the future."), "start_in_past")
    if data.ends_at <= data.starts_at:
        add("ends_at", _("The end must be after the start."), "end_before_start")
    if data.booking_deadline > data.starts_at:
        add(
            "booking_deadline",
            _("The booking deadline must be at or before the start."),
            "booking_deadline_after_start",
        )
    if data.cancellation_deadline is not None and data.cancellation_deadline > data.starts_at:
        add(
            "cancellation_deadline",
            _("Free cancellation must end at or before the start."),
            "cancellation_deadline_after_start",
        )
    if data.capacity < seats_reserved:
        add(
            "capacity",
            _("%(n)s seats are already booked; the capacity cannot be lower.")
            % {"n": seats_reserved},
            "capacity_below_reserved",
        )
    if errors:
        raise ValidationError(errors)


def _event_fields(data: EventData) -> dict:
    fields = {key: getattr(data, key) for key in asdict(data)}
    if fields["cancellation_deadline"] is None:
        fields["cancellation_deadline"] = data.starts_at - settings.DEFAULT_CANCELLATION_NOTICE
    fields["menu"] = fields["menu"] or ""
    return fields


# What guests rely on: a change to any of these is announced to them (``event_changed``).
GUEST_RELEVANT_FIELDS = ("starts_at", "ends_at", "city", "commune", "address")


def _guest_facts(event: Event) -> dict:
    """The guest-relevant fields of ``event`` as JSON-serialisable values (times in UTC)."""
    return {
        "starts_at": event.starts_at.astimezone(UTC).isoformat(),
        "ends_at": event.ends_at.astimezone(UTC).isoformat(),
        "city": event.city.name,
        "commune": event.commune.name,
        "address": event.address,
    }


def _event_changes(before: dict, after: dict) -> dict[str, tuple]:
    """``field → (old, new)`` for the guest-relevant fields that differ."""
    return {
        name: (before[name], after[name])
        for name in GUEST_RELEVANT_FIELDS
        if before[name] != after[name]
    }


@transaction.atomic
def event_create(*, host: User, data: EventData, photo: UploadedFile | None = None) -> Event:
    """Create a draft event for ``host``. Nothing is saved if any rule fails.

    Raises ``ValidationError`` keyed by field (``commune_not_in_city``, ``start_in_past``,
    ``end_before_start``, ``booking_deadline_after_start``, …).
    """
    _event_validate(data, now=timezone.now())
    event = Event(host=host, status=Event.Status.DRAFT, **_event_fields(data))
    if photo:
        event.photo = photo
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(
    *,
    event_id: int,
    actor: User,
    data: EventData,
    photo: UploadedFile | None = None,
    clear_photo: bool = False,
) -> Event:
    """Change a draft or published event (the host fixing a typo, moving the time, …).

    Locks the event row: seats may be booked meanwhile and capacity cannot drop below them.
    Cancelled and completed events cannot be edited (code ``not_editable``).

    If the event is published and its start, end, city, commune or address changed, records an
    ``EventChange`` in this transaction and sends ``event_changed(sender=Event, event_id=…,
    change_id=…, changes={field: (old, new)})`` after commit so bookings can tell the confirmed
    guests (and its sweep can, from the row, if the signal's task was lost). Other edits
    (title, description, …) record and send nothing.
    """
    event = Event.objects.select_for_update().select_related("city").get(pk=event_id)
    if not event_can_manage(user=actor, event=event):
        raise PermissionDenied
    if event.status not in (Event.Status.DRAFT, Event.Status.PUBLISHED):
        raise ValidationError(_("This event can no longer be edited."), code="not_editable")
    _event_validate(data, now=timezone.now(), seats_reserved=event.seats_reserved)
    before = _guest_facts(event)
    fields = _event_fields(data)
    for name, value in fields.items():
        setattr(event, name, value)
    update_fields = [*fields, "updated_at"]
    if photo:
        event.photo = photo
        update_fields.append("photo")
    elif clear_photo:
        event.photo = ""
        update_fields.append("photo")
    event.full_clean()
    event.save(update_fields=update_fields)
    changes = _event_changes(before, _guest_facts(event))
    if changes and event.status == Event.Status.PUBLISHED:
        change = EventChange.objects.create(event=event, changes=changes, changed_by=actor)
        event_pk, change_pk = event.pk, change.pk
        transaction.on_commit(
            lambda: event_changed.send(
                sender=Event, event_id=event_pk, change_id=change_pk, changes=changes
            )
        )
    return event


def event_change_mark_notified(*, change_id: int) -> bool:
    """Record that every confirmed guest was told about a change; False if already recorded."""
    return bool(
        EventChange.objects.filter(pk=change_id, guests_notified_at=None).update(
            guests_notified_at=timezone.now()
        )
    )


@transaction.atomic
def event_publish(*, event_id: int, actor: User) -> Event:
    """Publish a draft so anyone can find and book it. Publishing twice does nothing.

    Raises ``ValidationError`` ``start_in_past`` if the draft's start has passed meanwhile,
    ``not_publishable`` for a cancelled or completed event, ``display_name_missing`` while the
    host has chosen no public name (their email must never stand in for it).
    """
    event = Event.objects.select_for_update().get(pk=event_id)
    if not event_can_manage(user=actor, event=event):
        raise PermissionDenied
    if event.status == Event.Status.PUBLISHED:
        return event
    if event.status != Event.Status.DRAFT:
        raise ValidationError(_("This event cannot be published."), code="not_publishable")
    if event.starts_at <= timezone.now():
        raise ValidationError(
            _("The start is in the past. Edit the date before publishing."),
            code="start_in_past",
        )
    host = User.objects.select_related("profile").get(pk=event.host_id)
    if not host.has_public_name:
        raise ValidationError(
            _("Choose the name guests will see before you publish."),
            code="display_name_missing",
        )
    event_transition(
        event=event, to=Event.Status.PUBLISHED, actor=Actor.person(actor), reason="published"
    )
    return event


@transaction.atomic
def event_cancel(*, event_id: int, actor: User) -> Event:
    """Cancel a draft or published event. Cancelling twice does nothing.

    ``actor`` is the host, or a moderator (``events.moderate_event``) cancelling from the
    admin; anyone else gets ``PermissionDenied``. After commit sends ``event_cancelled(sender=Event, event_id=…)`` so bookings can refund and
    tell guests; a repeated call sends nothing.
    """
    event = Event.objects.select_for_update().get(pk=event_id)
    if not (event_can_manage(user=actor, event=event) or event_can_moderate(user=actor)):
        raise PermissionDenied
    if event.status == Event.Status.CANCELLED:
        return event
    if event.status not in (Event.Status.DRAFT, Event.Status.PUBLISHED):
        raise ValidationError(_("This event can no longer be cancelled."), code="not_cancellable")
    event_transition(
        event=event,
        to=Event.Status.CANCELLED,
        actor=Actor.person(actor),
        reason="cancelled by the host" if event.host_id == actor.pk else "cancelled by a moderator",
    )
    event_pk = event.pk
    transaction.on_commit(lambda: event_cancelled.send(sender=Event, event_id=event_pk))
    return event


def events_complete_ended(*, now: datetime | None = None) -> list[int]:
    """Mark every published event whose end has passed as completed; returns their ids.

    Beat runs it every few minutes. Each event is completed under its own row lock, and only
    from ``published`` (a host cancelling at the same moment wins or loses cleanly); running it
    twice completes nothing twice.
    """
    now = now or timezone.now()
    ended = list(
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    completed = []
    for event_id in ended:
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            if event.status != Event.Status.PUBLISHED or event.ends_at > now:
                continue
            event_transition(
                event=event,
                to=Event.Status.COMPLETED,
                actor=Actor.system(),
                reason="the event ended",
                now=now,
            )
            completed.append(event_id)
    return completed


@transaction.atomic
def events_scrub_for_erased_host(*, host_id: int) -> int:
    """Forget what identifies an erased host: delete their drafts (never published, so never
    booked) and clear the home address of their other events, which stay for the guests' and
    the fund's records. Returns the number of drafts deleted.

    Called inside accounts' erasure transaction (``accounts.signals.user_erasing``), after
    accounts refused the erasure while the host had published events not yet over.
    """
    drafts = Event.objects.select_for_update().filter(host_id=host_id, status=Event.Status.DRAFT)
    photos = [(event.photo.storage, event.photo.name) for event in drafts if event.photo]
    _total, by_model = drafts.delete()
    Event.objects.filter(host_id=host_id).update(address="", updated_at=timezone.now())

    def delete_photos() -> None:
        for storage, name in photos:
            if storage.exists(name):
                storage.delete(name)

    if photos:
        transaction.on_commit(delete_photos)
    return by_model.get(Event._meta.label, 0)
