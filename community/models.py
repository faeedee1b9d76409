"""Attendance, reviews, reports and messages: what happens around a dinner once it is booked.

Only ``community.services`` writes these rows.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking
from events.models import Event

REVIEW_MAX_CHARS = 2000
MESSAGE_MAX_CHARS = 2000
REPORT_REASON_MAX_CHARS = 1000


class NoShow(models.Model):
    """The host marked a confirmed guest as not having come. Never shown publicly."""

    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="no_show"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("no-show")
        verbose_name_plural = _("no-shows")

    def __str__(self) -> str:
        return str(self.booking)


class Review(models.Model):
    """A guest's review of the host of an event they attended: one per booking."""

    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="review"
    )
    # Denormalised from the booking so the host page reads its reviews by one index.
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="reviews"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="reviews_received",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="reviews_written",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"), max_length=REVIEW_MAX_CHARS)
    reply = models.TextField(_("host's reply"), max_length=REVIEW_MAX_CHARS, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), max_length=1000, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        permissions = [("hide_review", _("Can hide a review from the public"))]
        indexes = [
            models.Index(fields=["host", "-created_at"], name="review_host_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(author=models.F("host")), name="review_not_by_host"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ · {self.event}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ReviewInvitation(models.Model):
    """The email inviting a guest to review, claimed before sending so it goes out once."""

    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.CASCADE,
        related_name="review_invitation",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review invitation")
        verbose_name_plural = _("review invitations")

    def __str__(self) -> str:
        return str(self.booking)


class Conversation(models.Model):
    """The message thread of one booking, between its guest and the event's host."""

    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="conversation"
    )
    guest_read_at = models.DateTimeField(_("guest last read at"), null=True, blank=True)
    host_read_at = models.DateTimeField(_("host last read at"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-pk"]
        permissions = [
            ("read_reported_conversation", _("Can read conversations that were reported")),
        ]

    def __str__(self) -> str:
        return str(self.booking)

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class Message(models.Model):
    """A text message in a conversation. Plain text: templates escape it."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        ANNOUNCEMENT = "announcement", _("Announcement to all guests")

    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MESSAGE)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_CHARS)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    # Claim column of the email to the other side (set before sending, cleared on failure).
    notified_at = models.DateTimeField(_("emailed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(notified_at=None),
                name="message_unnotified_idx",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Report(models.Model):
    """Someone signed in reported a review, an event or a conversation as abusive."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="reports_made",
    )
    review = models.ForeignKey(
        Review,
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reason = models.TextField(_("reason"), max_length=REPORT_REASON_MAX_CHARS)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Exactly one target.
            models.CheckConstraint(
                condition=(
                    Q(review__isnull=False, event__isnull=True, conversation__isnull=True)
                    | Q(review__isnull=True, event__isnull=False, conversation__isnull=True)
                    | Q(review__isnull=True, event__isnull=True, conversation__isnull=False)
                ),
                name="report_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.target}"

    @property
    def target(self):
        return self.review or self.event or self.conversation
