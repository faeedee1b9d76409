import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from events.models import Event


def new_booking_reference() -> str:
    """A short code a guest can read out to the host; not a secret, just unambiguous."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Booking(models.Model):
    """Seats for one guest at one event, with the money split frozen when the seats are held.

    Status moves forward only: held → confirmed → cancelled → refunded, or held → expired.
    One exception: a payment that succeeds after its hold expired confirms the expired booking
    if its seats are still free (otherwise it is refunded). Only ``bookings.services`` changes it.
    """

    class Status(models.TextChoices):
        HELD = "held", _("Held, awaiting payment")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Cancelled and refunded")
        EXPIRED = "expired", _("Expired")

    # Statuses whose seats count against the event's capacity.
    SEAT_TAKING = (Status.HELD, Status.CONFIRMED)

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_booking_reference, editable=False
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="bookings"
    )
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("guest"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    dietary_notes = models.TextField(_("dietary notes"), max_length=500, blank=True)
    # The money split, frozen at hold time (integer cents, EUR).
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    unit_price_cents = models.PositiveIntegerField(_("price per seat (cents)"))
    gross_cents = models.PositiveIntegerField(_("total (cents)"))
    pledge_percent = models.PositiveSmallIntegerField(_("pledged share (%)"))
    pledge_cents = models.PositiveIntegerField(_("pledged to Cook4Chance (cents)"))
    platform_fee_cents = models.PositiveIntegerField(_("platform fee (cents)"), default=0)
    host_cents = models.PositiveIntegerField(_("host share (cents)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.HELD, db_index=True
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation sent at"), null=True, blank=True, editable=False
    )
    reminder_sent_at = models.DateTimeField(
        _("reminder sent at"), null=True, blank=True, editable=False
    )
    cancellation_sent_at = models.DateTimeField(
        _("cancellation sent at"), null=True, blank=True, editable=False
    )
    # Digest of the last "the host moved the event" change-set emailed to this guest.
    event_change_sent = models.CharField(
        _("last event change emailed"), max_length=64, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]
        # In admin, who the guest is and what they eat show only with this permission: the
        # fund's people (Kiron staff) see a booking's money, not its guest.
        permissions = [
            ("view_guest_details", _("Can see guests' names, emails and dietary notes")),
        ]
        indexes = [models.Index(fields=["status", "hold_expires_at"], name="booking_hold_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="booking_seats_positive"),
            models.CheckConstraint(
                condition=Q(
                    gross_cents=F("pledge_cents") + F("platform_fee_cents") + F("host_cents")
                ),
                name="booking_split_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.event} · {self.seats}"

    def get_absolute_url(self) -> str:
        return reverse("bookings:detail", kwargs={"reference": self.reference})

    @property
    def is_free(self) -> bool:
        return self.gross_cents == 0


class Payment(models.Model):
    """The one Stripe PaymentIntent of a booking, its status mirrored from Stripe."""

    class Status(models.TextChoices):
        # Mirrors Stripe's PaymentIntent statuses.
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("Awaiting card")
        REQUIRES_CONFIRMATION = "requires_confirmation", _("Awaiting confirmation")
        REQUIRES_ACTION = "requires_action", _("Awaiting authentication")
        PROCESSING = "processing", _("Processing")
        REQUIRES_CAPTURE = "requires_capture", _("Awaiting capture")
        SUCCEEDED = "succeeded", _("Succeeded")
        CANCELED = "canceled", _("Cancelled")

    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="payment"
    )
    stripe_payment_intent_id = models.CharField(
        _("Stripe PaymentIntent"), max_length=255, unique=True, null=True, blank=True
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=Status.choices,
        default=Status.REQUIRES_PAYMENT_METHOD,
        db_index=True,
    )
    refunded_cents = models.PositiveIntegerField(_("refunded (cents)"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        permissions = [("refund_payment", _("Can refund payments from the admin"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=F("amount_cents")),
                name="payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.stripe_payment_intent_id or f"payment #{self.pk}"

    @property
    def refundable_cents(self) -> int:
        if self.status != self.Status.SUCCEEDED:
            return 0
        return self.amount_cents - self.refunded_cents


class Refund(models.Model):
    """Money given back on a payment; never more in total than the payment's amount."""

    class Reason(models.TextChoices):
        GUEST_CANCELLED = "guest_cancelled", _("Guest cancelled")
        EVENT_CANCELLED = "event_cancelled", _("Host cancelled the event")
        LATE_PAYMENT = "late_payment", _("Paid after the hold expired and the seats were gone")
        STAFF = "staff", _("Refunded by staff")
        STRIPE = "stripe", _("Refunded on Stripe (dashboard)")
        DISPUTE_LOST = "dispute_lost", _("Dispute lost: the bank took the money back")

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, unique=True)
    amount_cents = models.PositiveIntegerField(
        _("amount (cents)"), validators=[MinValueValidator(1)]
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.stripe_refund_id


class Dispute(models.Model):
    """A chargeback the guest's bank opened on a payment, mirrored from Stripe.

    While open, the host's share of the booking is frozen (not paid out). Lost, it is recorded
    as a refund (``Refund.Reason.DISPUTE_LOST``) so every share is reversed like a refund.
    Status moves forward only: open → won | lost.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="disputes"
    )
    stripe_dispute_id = models.CharField(_("Stripe dispute"), max_length=255, unique=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.stripe_dispute_id


class StripeEvent(models.Model):
    """A processed Stripe webhook event, stored in the same transaction as its effect."""

    event_id = models.CharField(_("Stripe event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    payment_intent_id = models.CharField(
        _("PaymentIntent"), max_length=255, blank=True, db_index=True
    )
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("processed Stripe event")
        verbose_name_plural = _("processed Stripe events")
        ordering = ["-processed_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
