import zoneinfo
from datetime import tzinfo

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.images import EVENT_PHOTO_MAX_SIDE, ReencodedImageField

MAX_CAPACITY = 50
MAX_CONTRIBUTION_CENTS = 500_00


class LocalNameMixin:
    """A place name in the visitor's language: ``name_fr`` / ``name_nl`` when set (Bruxelles,
    Brussel; Elsene, Ukkel, …), else ``name`` (English, and the place's own name where there is
    no other, like Dublin's areas). ``str()`` gives it too, so forms and templates follow."""

    @property
    def local_name(self) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        return getattr(self, f"name_{language}", "") or self.name

    def __str__(self) -> str:
        return self.local_name


class City(LocalNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=80, blank=True)
    name_nl = models.CharField(_("name in Dutch"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    country = models.CharField(_("country code"), max_length=2, default="BE")

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]

    @property
    def tz(self) -> tzinfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Commune(LocalNameMixin, models.Model):
    """A commune or district: the public, approximate location of an event."""

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="communes"
    )
    name = models.CharField(_("name"), max_length=80)
    name_fr = models.CharField(_("name in French"), max_length=80, blank=True)
    name_nl = models.CharField(_("name in Dutch"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"))

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["city__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="commune_unique_slug_per_city"),
        ]


class Kind(models.TextChoices):
    DINNER = "dinner", _("Dinner")
    BOARD_GAMES = "board_games", _("Board-game night")
    SINGLES = "singles", _("Singles evening")
    OTHER = "other", _("Other")


class Dietary(models.TextChoices):
    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    HALAL = "halal", _("Halal")
    KOSHER = "kosher", _("Kosher")
    GLUTEN_FREE = "gluten_free", _("Gluten-free")
    LACTOSE_FREE = "lactose_free", _("Lactose-free")
    NUT_FREE = "nut_free", _("Nut-free")


def event_photo_path(instance: "Event", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"events/{instance.host_id}/{stamp}.{extension}"


class EventQuerySet(models.QuerySet):
    def published(self) -> "EventQuerySet":
        return self.filter(status=Event.Status.PUBLISHED)

    def upcoming(self) -> "EventQuerySet":
        return self.filter(starts_at__gt=timezone.now())

    def visible_to(self, user) -> "EventQuerySet":
        """Published, cancelled and completed events for everyone; drafts for their host."""
        public = ~Q(status=Event.Status.DRAFT)
        if user is not None and user.is_authenticated:
            return self.filter(public | Q(host=user))
        return self.filter(public)


class Event(models.Model):
    """A dinner or game night at someone's home.

    ``seats_reserved`` counts seats held or confirmed by bookings; only the bookings services
    change it, under this row's lock, and a CHECK constraint keeps it within capacity.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="hosted_events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DINNER)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    menu = models.TextField(_("menu"), max_length=3000, blank=True)
    dietary_options = models.JSONField(_("dietary options offered"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="events"
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="events"
    )
    address = models.TextField(
        _("exact address"),
        max_length=300,
        help_text=_("Shown only to you and to guests with a confirmed booking."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    seats_reserved = models.PositiveSmallIntegerField(_("seats reserved"), default=0)
    contribution_cents = models.PositiveIntegerField(
        _("contribution per seat (cents)"),
        default=0,
        validators=[MaxValueValidator(MAX_CONTRIBUTION_CENTS)],
    )
    booking_deadline = models.DateTimeField(_("booking deadline"))
    cancellation_deadline = models.DateTimeField(_("free cancellation until"))
    pledge_percent = models.PositiveSmallIntegerField(
        _("share pledged to Cook4Chance (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    photo = ReencodedImageField(
        _("photo"),
        upload_to=event_photo_path,
        max_side=EVENT_PHOTO_MAX_SIDE,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        # Named powers of the platform team, granted one by one (none to Kiron staff): being
        # staff lets a person into the admin and nothing more.
        permissions = [
            ("moderate_event", _("Can cancel any host's event (moderation)")),
            ("view_event_address", _("Can see the exact address of any event")),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start_idx"),
            # The event list's filters (events.selectors.event_list_upcoming): published
            # events of a commune (and kind) or a city, in start order, without scanning the
            # whole upcoming list (EXPLAIN ANALYZE at 10,000 events: tests/events/test_plans.py).
            models.Index(
                fields=["commune", "kind", "starts_at"],
                name="event_pub_commune_kind_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["city", "starts_at"],
                name="event_pub_city_start_idx",
                condition=Q(status="published"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_reserved__lte=F("capacity")),
                name="event_seats_reserved_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_CAPACITY),
                name="event_capacity_range",
            ),
            models.CheckConstraint(
                condition=Q(pledge_percent__lte=100), name="event_pledge_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(contribution_cents__lte=MAX_CONTRIBUTION_CENTS),
                name="event_contribution_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def seats_left(self) -> int:
        """Seats a guest could still take.

        Events read through ``events.selectors`` carry ``seats_lapsed`` (seats of holds whose
        time ran out that no sweep has freed yet): those count as free, whatever beat does. A
        row read under its lock by the bookings services has no annotation, and there
        ``seats_reserved`` is the exact truth.
        """
        lapsed = getattr(self, "seats_lapsed", 0) or 0
        return max(self.capacity - self.seats_reserved + lapsed, 0)

    @property
    def seats_taken(self) -> int:
        """Seats held (hold still running) or confirmed: what the host sees as booked."""
        return self.capacity - self.seats_left

    @property
    def is_free(self) -> bool:
        return self.contribution_cents == 0

    @property
    def is_cook4chance(self) -> bool:
        return self.pledge_percent > 0 and self.contribution_cents > 0

    @property
    def pledge_per_seat_cents(self) -> int:
        return self.contribution_cents * self.pledge_percent // 100

    @property
    def local_starts_at(self):
        return timezone.localtime(self.starts_at, self.city.tz)

    @property
    def local_ends_at(self):
        return timezone.localtime(self.ends_at, self.city.tz)

    def get_dietary_options_display(self) -> list[str]:
        labels = dict(Dietary.choices)
        return [str(labels.get(code, code)) for code in self.dietary_options]

    def get_languages_display(self) -> list[str]:
        from accounts.models import Language

        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    def is_bookable(self, *, now=None) -> bool:
        """Open for new bookings: published, not started, before the booking deadline."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.booking_deadline > now
            and self.starts_at > now
        )


class EventChange(models.Model):
    """A change to a published event that its guests must hear about (time or place).

    Written in the same transaction as the change itself, so that the guests are told even if
    the broker was down when it happened: the bookings app's sweep finds the changes whose
    ``guests_notified_at`` is still empty.
    """

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="changes"
    )
    changes = models.JSONField(_("changes"), help_text=_("Each changed field: [old, new]."))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    guests_notified_at = models.DateTimeField(_("guests told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event change")
        verbose_name_plural = _("event changes")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="eventchange_unnotified_idx",
                condition=Q(guests_notified_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {', '.join(sorted(self.changes))}"
