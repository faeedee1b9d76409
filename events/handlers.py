"""Receivers for the signals of the apps below events (accounts' GDPR signals)."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.signals import erasure_blockers, personal_data_export, user_erasing

from .cache import public_pages_changed
from .models import City, Commune, Event


def export_hosted_events(sender, user, **kwargs) -> tuple[str, list[dict]]:
    """The events ``user`` hosts (drafts included, with their private address) for their export."""
    events = (
        Event.objects.filter(host=user)
        .select_related("city", "commune")
        .order_by("starts_at", "pk")
    )
    return "hosted_events", [
        {
            "id": event.pk,
            "title": event.title,
            "kind": event.kind,
            "status": event.status,
            "description": event.description,
            "menu": event.menu,
            "dietary_options": event.dietary_options,
            "languages": event.languages,
            "city": event.city.name,
            "commune": event.commune.name,
            "address": event.address,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "booking_deadline": event.booking_deadline,
            "cancellation_deadline": event.cancellation_deadline,
            "capacity": event.capacity,
            "seats_reserved": event.seats_reserved,
            "contribution_cents": event.contribution_cents,
            "pledge_percent": event.pledge_percent,
            "photo": event.photo.name or None,
            "published_at": event.published_at,
            "cancelled_at": event.cancelled_at,
            "created_at": event.created_at,
        }
        for event in events
    ]


def block_erasure_while_hosting(sender, user, **kwargs) -> list[str]:
    """A host cannot vanish before their guests have eaten: published events not yet over
    must be cancelled first (which refunds the guests)."""
    count = Event.objects.published().filter(host=user, ends_at__gt=timezone.now()).count()
    if not count:
        return []
    return [
        ngettext(
            "You host %(count)d upcoming event. Cancel it first: your guests are told and refunded.",
            "You host %(count)d upcoming events. Cancel them first: your guests are told and refunded.",
            count,
        )
        % {"count": count}
    ]


def scrub_erased_host(sender, user_id: int, **kwargs) -> None:
    """Inside the erasure transaction: forget the erased host's drafts and home address."""
    from .services import events_scrub_for_erased_host

    events_scrub_for_erased_host(host_id=user_id)


def event_public_pages_changed(sender, **kwargs) -> None:
    """Any saved or deleted event (services, admin, scripts) makes the cached public pages
    stale after commit. Seat counts moved with ``update()`` are announced by bookings."""
    public_pages_changed()


def connect() -> None:
    post_save.connect(event_public_pages_changed, sender=Event, dispatch_uid="events.pages.save")
    # Cities and communes are the list's filter choices (cached with the pages).
    for model in (City, Commune):
        post_save.connect(event_public_pages_changed, sender=model, dispatch_uid=f"pages.{model}")
    post_delete.connect(
        event_public_pages_changed, sender=Event, dispatch_uid="events.pages.delete"
    )
    personal_data_export.connect(export_hosted_events, dispatch_uid="events.export_hosted_events")
    erasure_blockers.connect(
        block_erasure_while_hosting, dispatch_uid="events.block_erasure_while_hosting"
    )
    user_erasing.connect(scrub_erased_host, dispatch_uid="events.scrub_erased_host")
