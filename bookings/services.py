"""Every write of the bookings app: holds, payments, confirmations, cancellations, refunds.

Lock order, everywhere: event row, then booking row, then payment row. Stripe calls happen
outside transactions (through ``bookings.stripe_gateway``); follow-up work (emails, signals to the
donations app) is enqueued with ``transaction.on_commit``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import Actor, status_changes_record
from events.cache import public_pages_changed, public_pages_time_sensitive
from events.models import Event
from meetsies.enqueue import enqueue_on_commit

from . import selectors, signals, stripe_gateway
from .models import Booking, Payment, Refund, StripeEvent
from .transitions import booking_transition, bookings_transition, payment_transition

logger = logging.getLogger(__name__)

Status = Booking.Status


# ------------------------------------------------------------------ helpers


def _lock_event(event_id: int) -> Event:
    """Take the event row lock until the end of the transaction.

    The concurrency tests replace this function with an unlocked read to prove the lock matters.
    """
    return Event.objects.select_for_update().get(pk=event_id)


def money_split(*, event: Event, seats: int) -> dict[str, int]:
    """The frozen split of a booking: pledge, platform fee (from the host's share), host share."""
    gross = event.contribution_cents * seats
    pledge = gross * event.pledge_percent // 100
    fee = min(gross * settings.PLATFORM_FEE_PERCENT // 100, gross - pledge)
    return {
        "unit_price_cents": event.contribution_cents,
        "gross_cents": gross,
        "pledge_percent": event.pledge_percent,
        "pledge_cents": pledge,
        "platform_fee_cents": fee,
        "host_cents": gross - pledge - fee,
    }


def _release_seats(*, event_id: int, seats: int) -> None:
    """Give seats back to an event. Call while holding the event row lock."""
    Event.objects.filter(pk=event_id).update(seats_reserved=F("seats_reserved") - seats)
    public_pages_changed()  # "seats left" on the cached public pages


def _expire_stale_holds_locked(*, event: Event, now: datetime) -> int:
    """Expire this event's holds whose time ran out and free their seats.

    Call while holding the event row lock. Returns how many bookings expired.
    """
    stale = list(
        Booking.objects.select_for_update()
        .filter(event_id=event.pk, status=Status.HELD, hold_expires_at__lte=now)
        .values_list("pk", "seats")
    )
    if not stale:
        return 0
    bookings_transition(
        changes=[(pk, Status.HELD) for pk, _ in stale],
        to=Status.EXPIRED,
        actor=Actor.system(),
        reason="the hold ran out",
        now=now,
    )
    freed = sum(seats for _, seats in stale)
    _release_seats(event_id=event.pk, seats=freed)
    event.seats_reserved -= freed
    return len(stale)


def _on_commit_confirmed(booking_id: int) -> None:
    from . import tasks

    enqueue_on_commit(tasks.send_booking_confirmation, booking_id)


# ------------------------------------------------------------------ holding seats


@transaction.atomic
def booking_hold(*, event_id: int, guest: User, seats: int, dietary_notes: str = "") -> Booking:
    """Hold ``seats`` of an event for ``guest`` for ``BOOKING_HOLD_MINUTES``.

    Takes the event row lock, expires the event's stale holds first, checks the event is open
    and has the seats, then reserves them (a CHECK constraint keeps reserved ≤ capacity) and
    freezes the money split. A free event's booking is confirmed at once. No network I/O.
    Raises ``ValidationError`` with code ``invalid_seats``, ``too_many_seats``,
    ``unverified_email``, ``own_event``, ``not_bookable``, ``booking_closed``,
    ``already_booked`` or ``sold_out``; nothing is saved then.
    """
    if not isinstance(seats, int) or seats < 1:
        raise ValidationError(_("Choose at least one seat."), code="invalid_seats")
    if seats > settings.BOOKING_MAX_SEATS:
        raise ValidationError(
            _("You can book at most %(max)s seats at once."),
            code="too_many_seats",
            params={"max": settings.BOOKING_MAX_SEATS},
        )
    if not selectors.guest_has_verified_email(user=guest):
        raise ValidationError(
            _("Please verify your email address before booking."), code="unverified_email"
        )
    now = timezone.now()
    event = _lock_event(event_id)
    if event.host_id == guest.pk:
        raise ValidationError(_("You cannot book your own event."), code="own_event")
    if event.status == Event.Status.PUBLISHED and event.starts_at > now >= event.booking_deadline:
        raise ValidationError(_("Bookings for this event are closed."), code="booking_closed")
    if not event.is_bookable(now=now):
        raise ValidationError(_("This event is not open for booking."), code="not_bookable")
    _expire_stale_holds_locked(event=event, now=now)
    if Booking.objects.filter(
        event_id=event.pk, guest=guest, status__in=Booking.SEAT_TAKING
    ).exists():
        raise ValidationError(
            _("You already have a booking for this event."), code="already_booked"
        )
    if seats > event.seats_left:
        if event.seats_left == 0:
            message = _("Sorry, this event is sold out.")
        else:
            message = _("Sorry, only %(left)s seats are left.")
        raise ValidationError(message, code="sold_out", params={"left": event.seats_left})

    Event.objects.filter(pk=event.pk).update(seats_reserved=F("seats_reserved") + seats)
    public_pages_changed()  # "seats left" on the cached public pages
    booking = Booking(
        event=event,
        guest=guest,
        seats=seats,
        dietary_notes=dietary_notes.strip()[:500],
        currency=settings.CURRENCY,
        hold_expires_at=now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
        **money_split(event=event, seats=seats),
    )
    if booking.gross_cents == 0:
        booking.status = Status.CONFIRMED
        booking.confirmed_at = now
    booking.save()
    status_changes_record(
        model=Booking,
        changes=[(booking.pk, "")],
        to_status=booking.status,
        actor=Actor.person(guest),
        reason="free booking" if booking.gross_cents == 0 else "seats held",
    )
    if booking.status == Status.HELD:
        # A lapsed hold counts as free before any write frees it (Event.seats_left).
        public_pages_time_sensitive(until=booking.hold_expires_at)
    if booking.status == Status.CONFIRMED:
        _on_commit_confirmed(booking.pk)
    return booking


def booking_expire_stale(*, now: datetime | None = None) -> int:
    """Expire every hold whose time ran out, event by event under each event's lock.

    Safe to run concurrently and repeatedly (beat runs it every minute). Returns the count.
    """
    now = now or timezone.now()
    event_ids = set(
        Booking.objects.filter(status=Status.HELD, hold_expires_at__lte=now).values_list(
            "event_id", flat=True
        )
    )
    expired = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = _lock_event(event_id)
            expired += _expire_stale_holds_locked(event=event, now=now)
    return expired


# ------------------------------------------------------------------ paying


@dataclass(frozen=True)
class PaymentAttempt:
    """What the checkout page needs to know after the server tried to charge the card."""

    status: str  # "succeeded", "requires_action", "failed", "processing"
    error: str = ""
    client_secret: str = ""


# A PaymentIntent in one of these states never changes again.
_FINAL = (Payment.Status.SUCCEEDED, Payment.Status.CANCELED)

# Intents of an earlier attempt that could still be completed: cancelled before a new attempt.
_OPEN = (
    Payment.Status.REQUIRES_ACTION,
    Payment.Status.REQUIRES_CONFIRMATION,
    Payment.Status.REQUIRES_CAPTURE,
)


@transaction.atomic
def _payment_claim(*, booking_id: int, guest: User) -> tuple[Payment, str | None]:
    """Check a held booking may be paid now and mark its payment as in flight.

    Returns the payment and the id of the intent of an earlier attempt, which the caller must
    check with Stripe (it may have succeeded after all) before charging again.
    """
    try:
        booking = Booking.objects.select_for_update().get(pk=booking_id, guest=guest)
    except Booking.DoesNotExist:
        raise ValidationError(_("Booking not found."), code="not_found") from None
    if booking.status == Status.CONFIRMED:
        raise ValidationError(_("This booking is already paid."), code="already_paid")
    if booking.status != Status.HELD or booking.hold_expires_at <= timezone.now():
        raise ValidationError(
            _("Your hold on these seats has expired. Please book again."), code="hold_expired"
        )
    if booking.gross_cents == 0:
        raise ValidationError(_("This booking is free."), code="free")
    payment, _created = Payment.objects.select_for_update().get_or_create(
        booking=booking,
        defaults={"amount_cents": booking.gross_cents, "currency": booking.currency},
    )
    if payment.status == Payment.Status.SUCCEEDED:
        raise ValidationError(_("This booking is already paid."), code="already_paid")
    if payment.status == Payment.Status.PROCESSING and payment.updated_at > timezone.now() - (
        timedelta(minutes=2)
    ):
        raise ValidationError(
            _("A payment for this booking is already in progress."), code="payment_in_progress"
        )
    previous = payment.stripe_payment_intent_id
    payment.last_error = ""
    payment_transition(
        payment=payment,
        to=Payment.Status.PROCESSING,
        actor=Actor.person(guest),
        reason="the guest pays",
        extra_fields=("last_error",),
    )
    return payment, previous


@transaction.atomic
def _payment_release(*, payment_id: int, error: str) -> None:
    """The attempt failed before Stripe confirmed anything: the guest may try again."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status != Payment.Status.PROCESSING:
        return
    payment.last_error = error[:500]
    payment_transition(
        payment=payment,
        to=Payment.Status.REQUIRES_PAYMENT_METHOD,
        actor=Actor.stripe(),
        reason="the payment could not be processed",
        extra_fields=("last_error",),
    )


def booking_pay(*, booking_id: int, guest: User, payment_method_id: str) -> PaymentAttempt:
    """Charge the card Stripe.js set up for a held booking, and mirror the result.

    Network calls run outside transactions: claim the payment (short transaction), check the
    intent of an earlier attempt (succeeded → done; still open → cancelled), create a PaymentIntent for this attempt and store its id, confirm
    it, then mirror Stripe's answer. The booking is confirmed only if Stripe says the intent
    succeeded (``payment_intent_sync``). A declined card returns ``failed`` with the bank's
    message and the guest may try again while the hold lasts.
    Raises ``ValidationError`` (``hold_expired``, ``already_paid``, ``payment_in_progress``, …)
    before anything is charged.
    """
    if not payment_method_id or not payment_method_id.startswith("pm_"):
        raise ValidationError(_("The card could not be read. Please try again."), code="no_card")
    payment, previous = _payment_claim(booking_id=booking_id, guest=guest)
    reference = Booking.objects.values_list("reference", flat=True).get(pk=booking_id)
    try:
        if previous:
            # Never charge twice: the earlier attempt may have gone through after all.
            earlier = stripe_gateway.payment_intent_retrieve(payment_intent_id=previous)
            if earlier.status in _OPEN:
                earlier = stripe_gateway.payment_intent_cancel(
                    payment_intent_id=previous
                ) or stripe_gateway.payment_intent_retrieve(payment_intent_id=previous)
            if earlier.status in (Payment.Status.SUCCEEDED, Payment.Status.PROCESSING):
                payment_intent_sync(intent=earlier)
                return PaymentAttempt(status=earlier.status)
            if earlier.status in _OPEN:
                # Stripe would not cancel it: it could still be completed, so a second intent
                # could charge the card twice. The guest can finish it or try again shortly.
                payment_intent_sync(intent=earlier)
                return PaymentAttempt(
                    status="failed",
                    error=_("Your earlier payment attempt is still open. Please try again."),
                )
        intent = stripe_gateway.payment_intent_create(
            amount_cents=payment.amount_cents,
            payment_method_id=payment_method_id,
            booking_reference=reference,
            idempotency_key=f"booking-{reference}-{payment_method_id}",
        )
        Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=intent.id)
        intent = stripe_gateway.payment_intent_confirm(payment_intent_id=intent.id)
    except stripe_gateway.StripeError as exc:
        logger.warning("Payment of booking %s failed before confirmation: %s", reference, exc)
        message = _("The payment could not be processed. Please try again.")
        _payment_release(payment_id=payment.pk, error=str(exc))
        return PaymentAttempt(status="failed", error=message)

    payment_intent_sync(intent=intent)
    if intent.status == Payment.Status.SUCCEEDED:
        return PaymentAttempt(status="succeeded")
    if intent.status == Payment.Status.REQUIRES_ACTION:
        return PaymentAttempt(status="requires_action", client_secret=intent.client_secret)
    if intent.status == Payment.Status.PROCESSING:
        return PaymentAttempt(status="processing")
    return PaymentAttempt(
        status="failed",
        error=intent.last_error or _("Your card was declined. Please try another card."),
    )


def booking_payment_refresh(*, booking_id: int) -> Payment | None:
    """Re-fetch the booking's PaymentIntent from Stripe and mirror it (guest returns, sweep).

    Does nothing for a booking without an intent or whose payment already succeeded.
    """
    payment = Payment.objects.filter(booking_id=booking_id).first()
    if payment is None or not payment.stripe_payment_intent_id:
        return payment
    if payment.status in _FINAL:
        return payment
    intent = stripe_gateway.payment_intent_retrieve(
        payment_intent_id=payment.stripe_payment_intent_id
    )
    return payment_intent_sync(intent=intent)


@transaction.atomic
def payment_intent_sync(
    *, intent: stripe_gateway.Intent, stripe_event_id: str = "", stripe_event_type: str = ""
) -> Payment | None:
    """Mirror what Stripe says about a PaymentIntent onto our Payment, forward only.

    With ``stripe_event_id`` the StripeEvent row is written in this same transaction, so a
    duplicate delivery raises ``IntegrityError`` (the caller answers 200 and nothing changes).
    A succeeded intent confirms the booking (or refunds a late payment whose seats are gone);
    a succeeded payment never goes back. Returns the payment, or None for an unknown intent.
    """
    if stripe_event_id:
        StripeEvent.objects.create(
            event_id=stripe_event_id, type=stripe_event_type, payment_intent_id=intent.id
        )
    found = (
        Payment.objects.filter(stripe_payment_intent_id=intent.id)
        .values_list("pk", "booking__event_id")
        .first()
    )
    if found is None:
        logger.info("Stripe mentions PaymentIntent %s, which no payment uses now", intent.id)
        return None
    payment_id, event_id = found
    if intent.status == Payment.Status.SUCCEEDED:
        return _payment_succeeded_locked(payment_id=payment_id, event_id=event_id, intent=intent)

    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.stripe_payment_intent_id != intent.id or payment.status in _FINAL:
        return payment  # an older intent, or a late event about a final one
    if intent.last_error:
        payment.last_error = intent.last_error
    payment_transition(
        payment=payment,
        to=intent.status,
        actor=Actor.stripe(),
        reason=f"Stripe: {intent.status}",
        extra_fields=("last_error",),
    )
    return payment


def _payment_succeeded_locked(
    *, payment_id: int, event_id: int, intent: stripe_gateway.Intent
) -> Payment:
    """Record a succeeded intent. Runs inside ``payment_intent_sync``'s transaction.

    Locks event → booking → payment (the order used everywhere). Idempotent: a payment already succeeded changes nothing.
    """
    now = timezone.now()
    event = _lock_event(event_id)
    booking = Booking.objects.select_for_update().get(payment__pk=payment_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == Payment.Status.SUCCEEDED or payment.stripe_payment_intent_id != intent.id:
        return payment
    if intent.amount != payment.amount_cents:
        logger.error(
            "PaymentIntent %s charged %s cents, booking %s expected %s",
            intent.id,
            intent.amount,
            booking.reference,
            payment.amount_cents,
        )
    payment.succeeded_at = now
    payment.last_error = ""
    payment_transition(
        payment=payment,
        to=Payment.Status.SUCCEEDED,
        actor=Actor.stripe(),
        reason="Stripe says the payment succeeded",
        extra_fields=("succeeded_at", "last_error"),
    )

    open_event = event.status == Event.Status.PUBLISHED and event.starts_at > now
    was_cancelled = booking.status == Status.CANCELLED
    if booking.status == Status.EXPIRED and open_event:
        _expire_stale_holds_locked(event=event, now=now)  # others' lapsed holds are free too
    confirm = False
    if booking.status == Status.HELD and open_event:
        confirm = True  # its seats are still reserved, even if the hold just ran out
    elif booking.status == Status.EXPIRED and open_event and event.seats_left >= booking.seats:
        # Paid late, but the seats are still free: take them again.
        Event.objects.filter(pk=event.pk).update(seats_reserved=F("seats_reserved") + booking.seats)
        public_pages_changed()
        confirm = True
    elif booking.status == Status.HELD:
        # The event closed (cancelled or started) while the guest was paying.
        _release_seats(event_id=event.pk, seats=booking.seats)
        booking_transition(
            booking=booking,
            to=Status.CANCELLED,
            actor=Actor.stripe(),
            reason="paid after the event closed",
            now=now,
        )

    if confirm:
        booking_transition(
            booking=booking,
            to=Status.CONFIRMED,
            actor=Actor.stripe(),
            reason="Stripe says the payment succeeded",
            now=now,
        )

    transaction.on_commit(
        lambda: signals.payment_succeeded.send(sender=Payment, payment_id=payment_id)
    )
    if confirm:
        _on_commit_confirmed(booking.pk)
    else:
        from . import tasks

        if event.status == Event.Status.CANCELLED:
            reason = Refund.Reason.EVENT_CANCELLED
        elif was_cancelled:
            reason = Refund.Reason.GUEST_CANCELLED  # the guest released the seats meanwhile
        else:
            reason = Refund.Reason.LATE_PAYMENT
        enqueue_on_commit(tasks.settle_cancelled_booking, booking.pk, str(reason), True)
    return payment


def payment_abandon(*, booking_id: int) -> Payment | None:
    """Cancel the still-open PaymentIntent of a booking that will not be confirmed, then mirror it.

    If Stripe refuses because the intent succeeded meanwhile, mirroring it refunds the payment
    (the booking is no longer held). Network calls; call outside transactions. Idempotent.
    """
    payment = Payment.objects.filter(booking_id=booking_id).first()
    if payment is None or not payment.stripe_payment_intent_id:
        return payment
    if payment.status in _FINAL:
        return payment
    stripe_gateway.payment_intent_cancel(payment_intent_id=payment.stripe_payment_intent_id)
    return booking_payment_refresh(booking_id=booking_id)


# ------------------------------------------------------------------ refunds


def payment_refund(
    *,
    payment_id: int,
    reason: str,
    amount_cents: int | None = None,
    note: str = "",
    actor: Actor | None = None,
) -> Refund | None:
    """Refund (part of) a succeeded payment through Stripe and record it.

    Never refunds more than ``amount - refunded``: the amount is capped under the payment row
    lock before Stripe is called, and the Stripe call uses an idempotency key derived from the
    payment's refunded total, so a repeated call refunds nothing twice (real Stripe). Returns
    None when nothing is refundable. After commit sends ``payment_refunded(refund_id=…)``.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        refundable = payment.refundable_cents
        amount = refundable if amount_cents is None else min(amount_cents, refundable)
        if amount <= 0 or not payment.stripe_payment_intent_id:
            return None
        key = f"refund-{payment.pk}-{payment.refunded_cents}-{amount}"
        intent_id = payment.stripe_payment_intent_id

    stripe_refund_id = stripe_gateway.refund_create(
        payment_intent_id=intent_id, amount_cents=amount, idempotency_key=key
    )

    with transaction.atomic():
        # The usual lock order (booking, then payment): a late success event for this payment
        # may be waiting on them at the same time.
        booking_id = Payment.objects.values_list("booking_id", flat=True).get(pk=payment_id)
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        existing = Refund.objects.filter(stripe_refund_id=stripe_refund_id).first()
        if existing is not None:
            return existing
        if payment.refunded_cents + amount > payment.amount_cents:
            logger.error(
                "Refund %s of %s cents exceeds payment %s; not recorded",
                stripe_refund_id,
                amount,
                payment.pk,
            )
            return None
        refund = Refund.objects.create(
            payment=payment,
            stripe_refund_id=stripe_refund_id,
            amount_cents=amount,
            reason=reason,
            note=note[:200],
        )
        Payment.objects.filter(pk=payment.pk).update(refunded_cents=F("refunded_cents") + amount)
        # A cancelled booking, or a late payment whose hold had expired and whose seats were
        # gone, is refunded now; a confirmed booking partly refunded (by staff) stays confirmed.
        if booking.status in (Status.CANCELLED, Status.EXPIRED):
            booking_transition(
                booking=booking,
                to=Status.REFUNDED,
                actor=actor or Actor.system(),
                reason=f"refund {stripe_refund_id} ({reason})",
            )
        refund_id = refund.pk
        transaction.on_commit(
            lambda: signals.payment_refunded.send(sender=Refund, refund_id=refund_id)
        )
    return refund


# ------------------------------------------------------------------ cancelling


def booking_refund_due(*, booking: Booking, now: datetime | None = None) -> bool:
    """Whether cancelling this booking now gives the guest their money back."""
    now = now or timezone.now()
    return booking.gross_cents > 0 and now < booking.event.cancellation_deadline


@transaction.atomic
def booking_cancel(*, booking_id: int, guest: User) -> Booking:
    """The guest cancels their held or confirmed booking; the seats go back at once.

    Before the event's cancellation deadline a confirmed paid booking is refunded in full (by a
    task enqueued after commit, which then marks it refunded); after it there is no refund.
    Cancelling twice does nothing. Raises ``ValidationError`` (``not_cancellable``) for an
    expired booking or an event that already started.
    """
    event_id = (
        Booking.objects.filter(pk=booking_id, guest=guest)
        .values_list("event_id", flat=True)
        .first()
    )
    if event_id is None:
        raise ValidationError(_("Booking not found."), code="not_found")
    now = timezone.now()
    event = _lock_event(event_id)
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    if booking.status in (Status.CANCELLED, Status.REFUNDED):
        return booking
    if booking.status not in Booking.SEAT_TAKING or event.starts_at <= now:
        raise ValidationError(_("This booking can no longer be cancelled."), code="not_cancellable")
    booking.event = event
    refund = booking.status == Status.CONFIRMED and booking_refund_due(booking=booking, now=now)
    _release_seats(event_id=event.pk, seats=booking.seats)
    booking_transition(
        booking=booking,
        to=Status.CANCELLED,
        actor=Actor.person(guest),
        reason="the guest cancelled",
        now=now,
    )

    from . import tasks

    enqueue_on_commit(
        tasks.settle_cancelled_booking, booking_id, str(Refund.Reason.GUEST_CANCELLED), refund
    )
    return booking


@transaction.atomic
def bookings_cancel_for_event(*, event_id: int) -> list[int]:
    """The host cancelled the event: cancel its held and confirmed bookings and free the seats.

    Each cancelled booking gets a task, after commit, that refunds it in full if it was
    confirmed (a held booking's payment that succeeds later is refunded by the payment's own
    task) and tells the guest. Idempotent: a second call finds nothing left to cancel. Returns the booking ids.
    """
    from . import tasks

    now = timezone.now()
    _lock_event(event_id)
    bookings = list(
        Booking.objects.select_for_update()
        .filter(event_id=event_id, status__in=Booking.SEAT_TAKING)
        .values_list("pk", "seats", "status")
    )
    if not bookings:
        return []
    ids = bookings_transition(
        changes=[(pk, status) for pk, _seats, status in bookings],
        to=Status.CANCELLED,
        actor=Actor.system(),
        reason="the host cancelled the event",
        now=now,
    )
    _release_seats(event_id=event_id, seats=sum(seats for _pk, seats, _status in bookings))
    for pk, _seats, status in bookings:
        # Only a confirmed booking was paid. A held one's payment may still succeed: then
        # ``payment_intent_sync`` enqueues the refund itself (one refund, from one task).
        enqueue_on_commit(
            tasks.settle_cancelled_booking,
            pk,
            str(Refund.Reason.EVENT_CANCELLED),
            status == Status.CONFIRMED,
        )
    return ids


# ------------------------------------------------------------------ GDPR


@transaction.atomic
def bookings_scrub_for_erased_guest(*, guest_id: int) -> int:
    """Forget what identifies an erased guest in their bookings: the dietary notes (health
    data). The bookings, payments and refunds themselves stay for the books, pointing at the
    anonymised account. Returns the number of bookings whose notes were cleared.

    Called inside accounts' erasure transaction (``accounts.signals.user_erasing``), after
    accounts refused the erasure while the guest had a hold or an event not yet over.
    """
    return (
        Booking.objects.filter(guest_id=guest_id)
        .exclude(dietary_notes="")
        .update(dietary_notes="", updated_at=timezone.now())
    )


# ------------------------------------------------------------------ email guards


_EMAIL_CLAIMS = ("confirmation_sent_at", "reminder_sent_at", "cancellation_sent_at")


def booking_claim_email(*, booking_id: int, field: str) -> bool:
    """Claim the right to send a once-only email (conditional update); True if we won it."""
    assert field in _EMAIL_CLAIMS
    return bool(
        Booking.objects.filter(pk=booking_id, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
    )


def booking_release_email_claim(*, booking_id: int, field: str) -> None:
    """Undo a claim when sending failed, so the retry sends the email."""
    assert field in _EMAIL_CLAIMS
    Booking.objects.filter(pk=booking_id).update(**{field: None})


def stripe_event_record_ignored(*, event_id: str, event_type: str) -> bool:
    """Store an event we do not act on, so duplicates are recognised; False if already stored."""
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event_id, type=event_type)
    except IntegrityError:
        return False
    return True
