"""Reads of the community app. Lists select their related rows up front: constant queries."""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import ERASED_EMAIL_DOMAIN
from bookings.models import Booking
from events.models import Event

from . import rules
from .models import Conversation, Message, NoShow, Report, Review, ReviewInvitation

REVIEWS_PER_PAGE = 10


def reviews_public() -> QuerySet[Review]:
    """Reviews anyone may read: not hidden by a moderator."""
    return Review.objects.filter(hidden_at=None)


def host_rating(*, host_id: int) -> dict:
    """``{"average": float | None, "count": int}`` of a host's public reviews (one query)."""
    result = (
        reviews_public().filter(host_id=host_id).aggregate(average=Avg("rating"), count=Count("pk"))
    )
    average = result["average"]
    return {
        "average": round(float(average), 1) if average is not None else None,
        "count": result["count"],
    }


def host_reviews_page(*, host_id: int, page: str | int | None) -> Page:
    """One page of a host's latest public reviews, authors and events fetched in the same query."""
    reviews = (
        reviews_public()
        .filter(host_id=host_id)
        .select_related("author", "author__profile", "event")
        .order_by("-created_at", "-pk")
    )
    return Paginator(reviews, REVIEWS_PER_PAGE).get_page(page)


def booking_for_guest(*, reference: str, guest) -> Booking:
    """A booking of ``guest`` by its reference, with its event (``Booking.DoesNotExist`` else)."""
    return Booking.objects.select_related("event", "event__host", "event__city").get(
        reference=reference, guest=guest
    )


def review_of_booking(*, booking: Booking) -> Review | None:
    return Review.objects.filter(booking=booking).first()


def event_attendance(*, event: Event) -> list[Booking]:
    """The confirmed bookings of an event with ``is_no_show`` and ``has_review``, guests first
    by name (two queries whatever the number of guests)."""
    return list(
        Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED)
        .select_related("guest", "guest__profile")
        .annotate(
            is_no_show=Exists(NoShow.objects.filter(booking=OuterRef("pk"))),
            has_review=Exists(Review.objects.filter(booking=OuterRef("pk"))),
        )
        .order_by("guest__first_name", "pk")
    )


def bookings_due_review_invitation(*, now: datetime | None = None) -> QuerySet[Booking]:
    """Confirmed bookings of completed events still within the review window that have not had
    their invitation, have no review and were not marked no-show: what the beat task sends."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            event__status=Event.Status.COMPLETED,
            event__ends_at__gt=now - rules.REVIEW_WINDOW,
            event__ends_at__lte=now,
            guest__is_active=True,
        )
        .exclude(guest__email__endswith="@" + ERASED_EMAIL_DOMAIN)
        .exclude(
            Exists(ReviewInvitation.objects.filter(booking=OuterRef("pk"), sent_at__isnull=False))
        )
        .exclude(Exists(NoShow.objects.filter(booking=OuterRef("pk"))))
        .exclude(Exists(Review.objects.filter(booking=OuterRef("pk"))))
        .order_by("pk")
    )


def _unread_filter(user) -> Q:
    as_guest = Q(booking__guest=user) & (
        Q(guest_read_at=None) | Q(messages__created_at__gt=F("guest_read_at"))
    )
    as_host = Q(booking__event__host=user) & (
        Q(host_read_at=None) | Q(messages__created_at__gt=F("host_read_at"))
    )
    return (as_guest | as_host) & ~Q(messages__sender=user)


def conversations_of(*, user, now: datetime | None = None) -> list[Conversation]:
    """A person's conversations (as guest of an active booking, or as host), latest first,
    each with ``unread`` (messages from the other side since they last read) and ``role``.
    Two queries whatever the number of conversations."""
    now = now or timezone.now()
    active_guest = Q(booking__guest=user) & (
        Q(booking__status=Booking.Status.CONFIRMED)
        | Q(booking__status=Booking.Status.HELD, booking__hold_expires_at__gt=now)
    )
    conversations = (
        Conversation.objects.filter(active_guest | Q(booking__event__host=user))
        .filter(last_message_at__isnull=False)
        .select_related(
            "booking",
            "booking__event",
            "booking__guest",
            "booking__guest__profile",
            "booking__event__host",
            "booking__event__host__profile",
        )
        .annotate(unread=Count("messages", filter=_unread_filter(user)))
        .order_by("-last_message_at", "-pk")
    )
    result = list(conversations)
    for conversation in result:
        conversation.role = "host" if conversation.booking.event.host_id == user.pk else "guest"
        conversation.other = (
            conversation.booking.guest
            if conversation.role == "host"
            else conversation.booking.event.host
        )
    return result


def unread_total(*, user) -> int:
    """How many messages from others ``user`` has not read yet (for the header). One query."""
    now = timezone.now()
    active_guest = (
        Q(conversation__booking__guest=user)
        & (
            Q(conversation__booking__status=Booking.Status.CONFIRMED)
            | Q(
                conversation__booking__status=Booking.Status.HELD,
                conversation__booking__hold_expires_at__gt=now,
            )
        )
        & (Q(conversation__guest_read_at=None) | Q(created_at__gt=F("conversation__guest_read_at")))
    )
    as_host = Q(conversation__booking__event__host=user) & (
        Q(conversation__host_read_at=None) | Q(created_at__gt=F("conversation__host_read_at"))
    )
    return Message.objects.filter(active_guest | as_host).exclude(sender=user).count()


def conversation_get(*, pk: int) -> Conversation:
    return Conversation.objects.select_related(
        "booking",
        "booking__event",
        "booking__event__host",
        "booking__event__host__profile",
        "booking__guest",
        "booking__guest__profile",
        "booking__event__city",
    ).get(pk=pk)


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("sender", "sender__profile").order_by(
        "created_at", "pk"
    )


def conversations_reported() -> QuerySet[Conversation]:
    """Conversations someone reported: the only ones staff may read."""
    return Conversation.objects.filter(Exists(Report.objects.filter(conversation=OuterRef("pk"))))


def messages_unnotified(*, created_before: datetime, created_after: datetime) -> QuerySet[Message]:
    """Messages whose email never went out (the broker was down, say): the sweep sends them."""
    return Message.objects.filter(
        notified_at=None, created_at__lt=created_before, created_at__gte=created_after
    ).order_by("pk")
