"""Every write of the community app: attendance, reviews, reports, messages.

Rules live in ``community.rules``; each service checks them again under a row lock, changes
the rows and enqueues its emails after commit through ``meetsies.enqueue``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Booking
from events.models import Event
from meetsies.enqueue import enqueue_on_commit

from . import rules
from .models import (
    MESSAGE_MAX_CHARS,
    REPORT_REASON_MAX_CHARS,
    REVIEW_MAX_CHARS,
    Conversation,
    Message,
    NoShow,
    Report,
    Review,
    ReviewInvitation,
)


def _lock_booking(booking_id: int) -> Booking:
    try:
        return (
            Booking.objects.select_for_update(of=("self",))
            .select_related("event", "guest")
            .get(pk=booking_id)
        )
    except Booking.DoesNotExist:
        raise ValidationError(_("Booking not found."), code="not_found") from None


# ------------------------------------------------------------------ attendance


@transaction.atomic
def booking_mark_no_show(*, booking_id: int, actor: User) -> NoShow:
    """The host records that a confirmed guest did not come (7 days after a completed event).

    A guest who has already reviewed the evening cannot be marked (the host reports the review
    instead), so marking can never silence a review. Marking twice does nothing more.
    Raises ``ValidationError`` (``not_host``, ``not_completed``, ``window_closed``,
    ``not_confirmed``, ``already_reviewed``).
    """
    booking = _lock_booking(booking_id)
    refusal = rules.no_show_refusal(booking=booking, actor=actor)
    if refusal:
        raise refusal
    if Review.objects.filter(booking=booking).exists():
        raise ValidationError(
            _("This guest has reviewed the evening. If they did not come, report the review."),
            code="already_reviewed",
        )
    no_show, _created = NoShow.objects.get_or_create(booking=booking, defaults={"marked_by": actor})
    return no_show


@transaction.atomic
def booking_unmark_no_show(*, booking_id: int, actor: User) -> None:
    """Undo a no-show within the same 7-day window. Undoing twice does nothing."""
    booking = _lock_booking(booking_id)
    refusal = rules.no_show_refusal(booking=booking, actor=actor)
    if refusal:
        raise refusal
    NoShow.objects.filter(booking=booking).delete()


# ------------------------------------------------------------------ reviews


def _clean_text(text: str, *, limit: int, field: str, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: ValidationError(_("Please write something."), code="empty")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: ValidationError(
                    _("At most %(limit)s characters, please."),
                    code="too_long",
                    params={"limit": limit},
                )
            }
        )
    return text


def _clean_rating(rating) -> int:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(
            {"rating": ValidationError(_("Choose from 1 to 5 stars."), code="invalid_rating")}
        )
    return rating


@transaction.atomic
def review_create(*, booking_id: int, author: User, rating: int, text: str) -> Review:
    """Write the one review of a booking: 1–5 stars and up to 2,000 characters.

    Checked under the booking's row lock (see ``rules.review_refusal``); a unique constraint on
    the booking backs the "once" up. Raises ``ValidationError`` with the rule's code, or
    ``already_reviewed``; nothing is saved then.
    """
    rating = _clean_rating(rating)
    text = _clean_text(text, limit=REVIEW_MAX_CHARS, field="text")
    booking = _lock_booking(booking_id)
    refusal = rules.review_refusal(booking=booking, author=author)
    if refusal:
        raise refusal
    if Review.objects.filter(booking=booking).exists():
        raise ValidationError(_("You have already reviewed this evening."), code="already_reviewed")
    try:
        with transaction.atomic():
            return Review.objects.create(
                booking=booking,
                event=booking.event,
                host_id=booking.event.host_id,
                author=author,
                rating=rating,
                text=text,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already reviewed this evening."), code="already_reviewed"
        ) from None


@transaction.atomic
def review_update(*, review_id: int, author: User, rating: int, text: str) -> Review:
    """The author changes their review within 48 hours of writing it."""
    rating = _clean_rating(rating)
    text = _clean_text(text, limit=REVIEW_MAX_CHARS, field="text")
    review = Review.objects.select_for_update().get(pk=review_id)
    refusal = rules.review_edit_refusal(review=review, author=author)
    if refusal:
        raise refusal
    review.rating = rating
    review.text = text
    review.save(update_fields=["rating", "text", "updated_at"])
    return review


@transaction.atomic
def review_reply(*, review_id: int, host: User, text: str) -> Review:
    """The host answers a review once, publicly. Raises ``not_host`` or ``already_replied``."""
    text = _clean_text(text, limit=REVIEW_MAX_CHARS, field="reply")
    review = Review.objects.select_for_update().get(pk=review_id)
    if review.host_id != host.pk:
        raise ValidationError(_("Only the host can reply to this review."), code="not_host")
    if review.replied_at is not None:
        raise ValidationError(_("You have already replied to this review."), code="already_replied")
    review.reply = text
    review.replied_at = timezone.now()
    review.save(update_fields=["reply", "replied_at", "updated_at"])
    return review


@transaction.atomic
def review_hide(*, review_id: int, actor: User, reason: str) -> Review:
    """Moderation: hide a review from the public, keeping the reason, and resolve its reports.

    Needs the explicit ``community.hide_review`` permission (being staff is not enough).
    Hiding a hidden review changes nothing.
    """
    if not actor.has_perm("community.hide_review"):
        raise PermissionDenied(_("You may not hide reviews."))
    reason = _clean_text(reason, limit=1000, field="reason")
    review = Review.objects.select_for_update().get(pk=review_id)
    if review.hidden_at is not None:
        return review
    now = timezone.now()
    review.hidden_at = now
    review.hidden_by = actor
    review.hidden_reason = reason
    review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    Report.objects.filter(review=review, status=Report.Status.OPEN).update(
        status=Report.Status.RESOLVED, resolved_by=actor, resolved_at=now
    )
    return review


def review_invitation_claim(*, booking_id: int) -> bool:
    """Claim the invitation email of a booking (conditional update); True if we won it."""
    invitation, _created = ReviewInvitation.objects.get_or_create(booking_id=booking_id)
    return bool(
        ReviewInvitation.objects.filter(pk=invitation.pk, sent_at=None).update(
            sent_at=timezone.now()
        )
    )


def review_invitation_release(*, booking_id: int) -> None:
    """Give the claim back when sending failed, so the retry (or the sweep) sends it."""
    ReviewInvitation.objects.filter(booking_id=booking_id).update(sent_at=None)


# ------------------------------------------------------------------ reports


def report_create(
    *,
    reporter: User,
    reason: str,
    review_id: int | None = None,
    event_id: int | None = None,
    conversation_id: int | None = None,
) -> Report:
    """Report a review, a public event or one's own conversation as abusive, with a reason.

    A second open report by the same person on the same thing returns the first one.
    """
    reason = _clean_text(reason, limit=REPORT_REASON_MAX_CHARS, field="reason")
    if sum(x is not None for x in (review_id, event_id, conversation_id)) != 1:
        raise ValueError("report exactly one thing")
    if not reporter.is_authenticated:
        raise PermissionDenied
    target: dict = {}
    if review_id is not None:
        target["review"] = Review.objects.get(pk=review_id, hidden_at=None)
    elif event_id is not None:
        target["event"] = Event.objects.exclude(status=Event.Status.DRAFT).get(pk=event_id)
    else:
        conversation = Conversation.objects.select_related("booking__event").get(pk=conversation_id)
        if rules.conversation_role(booking=conversation.booking, user=reporter) is None:
            raise PermissionDenied
        target["conversation"] = conversation
    existing = Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **target).first()
    if existing is not None:
        return existing
    return Report.objects.create(reporter=reporter, reason=reason, **target)


def report_resolve(*, report_id: int, actor: User) -> None:
    """Close a report in the moderation queue (``community.change_report`` permission)."""
    if not actor.has_perm("community.change_report"):
        raise PermissionDenied
    Report.objects.filter(pk=report_id, status=Report.Status.OPEN).update(
        status=Report.Status.RESOLVED, resolved_by=actor, resolved_at=timezone.now()
    )


# ------------------------------------------------------------------ messages


def conversation_get_or_create(*, booking_id: int, user: User) -> Conversation:
    """The thread of a booking, created on first use by its guest or host (who must have access)."""
    booking = Booking.objects.select_related("event").get(pk=booking_id)
    if rules.conversation_role(booking=booking, user=user) is None:
        raise PermissionDenied
    conversation, _created = Conversation.objects.get_or_create(booking=booking)
    return conversation


def _notify_on_commit(message_id: int) -> None:
    from . import tasks

    enqueue_on_commit(tasks.send_message_notification, message_id)


def _clean_body(body: str) -> str:
    return _clean_text(body, limit=MESSAGE_MAX_CHARS, field="body")


@transaction.atomic
def message_send(*, conversation_id: int, sender: User, body: str) -> Message:
    """Send a text message in a booking's thread; the other side gets an email after commit.

    Plain text, up to 2,000 characters (templates escape it). Refused (``ValidationError``)
    outside ``rules.message_refusal``. The hourly allowance is the view's (``community_message`` in ``ACCOUNT_RATE_LIMITS``).
    """
    body = _clean_body(body)
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("booking__event")
        .get(pk=conversation_id)
    )
    refusal = rules.message_refusal(conversation=conversation, sender=sender)
    if refusal:
        raise refusal
    message = Message.objects.create(conversation=conversation, sender=sender, body=body)
    role = rules.conversation_role(booking=conversation.booking, user=sender)
    conversation.last_message_at = message.created_at
    setattr(conversation, f"{role}_read_at", message.created_at)
    conversation.save(update_fields=["last_message_at", f"{role}_read_at"])
    _notify_on_commit(message.pk)
    return message


@transaction.atomic
def announcement_send(*, event_id: int, sender: User, body: str) -> list[Message]:
    """The host writes to every confirmed guest of an upcoming event at once.

    One message lands in each confirmed guest's thread (created if need be; blocked threads
    are skipped), each emailed after commit. Counts as one message against the rate limit.
    """
    body = _clean_body(body)
    event = Event.objects.select_for_update().get(pk=event_id)
    if event.host_id != sender.pk:
        raise ValidationError(_("Only the host can write to all guests."), code="not_host")
    now = timezone.now()
    if event.status != Event.Status.PUBLISHED or event.starts_at <= now:
        raise ValidationError(
            _("Messages can be sent until the event starts."), code="event_not_upcoming"
        )
    bookings = list(
        Booking.objects.filter(event=event, status=Booking.Status.CONFIRMED).order_by("pk")
    )
    if not bookings:
        raise ValidationError(_("No guest has a confirmed booking yet."), code="no_guests")
    messages = []
    for booking in bookings:
        conversation, _created = Conversation.objects.get_or_create(booking=booking)
        if conversation.blocked_at is not None:
            continue
        message = Message.objects.create(
            conversation=conversation, sender=sender, body=body, kind=Message.Kind.ANNOUNCEMENT
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=message.created_at, host_read_at=message.created_at
        )
        _notify_on_commit(message.pk)
        messages.append(message)
    return messages


def conversation_mark_read(*, conversation: Conversation, user: User) -> None:
    """Everything in the thread up to now is read by ``user`` (their unread count drops to 0)."""
    role = rules.conversation_role(booking=conversation.booking, user=user)
    if role is None:
        return
    Conversation.objects.filter(pk=conversation.pk).update(**{f"{role}_read_at": timezone.now()})


@transaction.atomic
def conversation_block(*, conversation_id: int, user: User) -> Conversation:
    """Either side stops the conversation: nobody can write in it until the blocker unblocks."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("booking__event")
        .get(pk=conversation_id)
    )
    if rules.conversation_role(booking=conversation.booking, user=user) is None:
        raise PermissionDenied
    if conversation.blocked_at is None:
        conversation.blocked_at = timezone.now()
        conversation.blocked_by = user
        conversation.save(update_fields=["blocked_at", "blocked_by"])
    return conversation


@transaction.atomic
def conversation_unblock(*, conversation_id: int, user: User) -> Conversation:
    """Only the person who blocked a conversation can open it again."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.blocked_by_id != user.pk:
        raise ValidationError(
            _("Only the person who blocked this conversation can unblock it."), code="not_blocker"
        )
    conversation.blocked_at = None
    conversation.blocked_by = None
    conversation.save(update_fields=["blocked_at", "blocked_by"])
    return conversation


def message_claim_notification(*, message_id: int) -> bool:
    """Claim the email of a message (conditional update); True if we won it."""
    return bool(
        Message.objects.filter(pk=message_id, notified_at=None).update(notified_at=timezone.now())
    )


def message_release_notification(*, message_id: int) -> None:
    Message.objects.filter(pk=message_id).update(notified_at=None)


# ------------------------------------------------------------------ GDPR


def community_scrub_for_erased_user(*, user_id: int) -> None:
    """Forget what an erased person wrote: their review texts and message bodies are cleared
    (ratings and the rows stay, so averages and the other side's thread remain coherent).

    Called inside accounts' erasure transaction (``accounts.signals.user_erasing``).
    """
    now = timezone.now()
    Review.objects.filter(author_id=user_id).update(text="", updated_at=now)
    Message.objects.filter(sender_id=user_id).update(body="")
