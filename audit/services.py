"""Transition checks and history rows, shared by every model with a status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import StatusChange


class TransitionNotAllowed(Exception):
    """A status change the model's map does not allow; nothing was changed."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change: ``kind`` is a ``StatusChange.Actor``; ``user`` when a person did."""

    kind: str
    user: object | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(StatusChange.Actor.SYSTEM)

    @classmethod
    def stripe(cls) -> Actor:
        return cls(StatusChange.Actor.STRIPE)

    @classmethod
    def person(cls, user) -> Actor:
        kind = StatusChange.Actor.STAFF if user.is_staff else StatusChange.Actor.USER
        return cls(kind, user)


def transition_check(
    *, allowed: Mapping[str, Iterable[str]], model: str, from_status: str, to_status: str
) -> None:
    """Raise ``TransitionNotAllowed`` unless ``from_status → to_status`` is in ``allowed``."""
    if to_status not in set(allowed.get(from_status, ())):
        raise TransitionNotAllowed(f"{model}: {from_status} → {to_status} is not allowed")


def status_changes_record(
    *,
    model: type[models.Model],
    changes: Iterable[tuple[int, str]],
    to_status: str,
    actor: Actor,
    reason: str = "",
) -> None:
    """Write one history row per ``(object id, from status)``. Call in the change's transaction."""
    content_type = ContentType.objects.get_for_model(model)
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                content_type=content_type,
                object_id=pk,
                from_status=from_status,
                to_status=to_status,
                actor_kind=actor.kind,
                actor=user,
                reason=reason[:200],
            )
            for pk, from_status in changes
        ]
    )


def history_for(obj: models.Model):
    """The status changes of one object, oldest first."""
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("actor")
