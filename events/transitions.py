"""The one place an event's status changes: an explicit map of allowed transitions and a history
row (``audit.StatusChange``) for each change. Callers hold the event row lock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from audit.services import Actor, status_changes_record, transition_check

from .models import Event

Status = Event.Status

EVENT_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
    Status.PUBLISHED: {Status.CANCELLED, Status.COMPLETED},
    Status.CANCELLED: set(),
    Status.COMPLETED: set(),
}
_STAMPS = {
    Status.PUBLISHED: "published_at",
    Status.CANCELLED: "cancelled_at",
    Status.COMPLETED: "completed_at",
}


def event_transition(
    *, event: Event, to: str, actor: Actor, reason: str = "", now: datetime | None = None
) -> Event:
    """Move ``event`` to ``to`` and record who and why. Call holding its row lock.

    Already in ``to``: nothing happens. Not in the map: ``TransitionNotAllowed``, nothing changed.
    """
    if event.status == to:
        return event
    transition_check(
        allowed=EVENT_TRANSITIONS, model="event", from_status=event.status, to_status=to
    )
    previous = event.status
    event.status = to
    setattr(event, _STAMPS[to], now or timezone.now())
    event.save(update_fields=["status", _STAMPS[to], "updated_at"])
    status_changes_record(
        model=Event, changes=[(event.pk, previous)], to_status=to, actor=actor, reason=reason
    )
    return event
