"""Forms for hosting and finding events. They check the shape of input; rules that need the
database or the clock (commune in city, start in the future, …) live in ``events.services``."""

import json
from datetime import UTC, datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.images import EVENT_PHOTO_MAX_SIDE, ReencodedImageFormField
from accounts.models import Language

from .models import MAX_CAPACITY, MAX_CONTRIBUTION_CENTS, City, Commune, Dietary, Event, Kind

EVENT_PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time with no time zone yet.

    Django would read it in the site's time zone; an event's times are in its city's time
    zone, which the form knows only once the city is cleaned, so ``EventForm.clean`` attaches it.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT_FORMAT)

    def to_python(self, value):
        with timezone.override(UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None

    def prepare_value(self, value):
        # Initial values are already naive wall-clock times in the city's time zone.
        return value


class CommuneChoiceField(forms.ModelChoiceField):
    """A commune, offered grouped by city (one ``<optgroup>`` per city)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Commune.objects.select_related("city"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Commune) -> str:
        return obj.local_name

    def group_choices(self, *, city_field: str = "city") -> None:
        """Replace the flat list by groups; validation still goes through the queryset.

        Also tells ``static/js/commune-filter.js`` which communes belong to which city (by
        primary key) and which field of the form is the city, so that choosing a city hides
        the other cities' communes. The server-side check stays the rule.
        """
        groups: dict[str, list] = {}
        by_city: dict[str, list[int]] = {}
        for commune in self.queryset.order_by("city__name", "name"):
            groups.setdefault(commune.city.local_name, []).append((commune.pk, commune.local_name))
            by_city.setdefault(str(commune.city_id), []).append(commune.pk)
        self.choices = [("", self.empty_label or ""), *groups.items()]
        self.widget.attrs["data-city-field"] = city_field
        self.widget.attrs["data-city-communes"] = json.dumps(by_city, separators=(",", ":"))


def money_to_cents(value: Decimal) -> int:
    """Euros as a Decimal (two places at most) to integer cents, without floats."""
    return int((value * 100).to_integral_value())


class EventForm(forms.Form):
    """Everything a host fills in. Times are entered in the chosen city's time zone."""

    kind = forms.ChoiceField(label=_("Kind of event"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=5000, widget=forms.Textarea)
    menu = forms.CharField(
        label=_("Menu"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: what you will cook or play."),
    )
    dietary_options = forms.MultipleChoiceField(
        label=_("Dietary options offered"),
        choices=Dietary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages at the table"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.all())
    commune = CommuneChoiceField(
        label=_("Commune"), help_text=_("Shown publicly instead of your address.")
    )
    address = forms.CharField(
        label=_("Exact address"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown only to you and to guests with a confirmed booking."),
    )
    starts_at = LocalDateTimeField(
        label=_("Starts at"), help_text=_("Local time in the city of the event.")
    )
    ends_at = LocalDateTimeField(label=_("Ends at"))
    booking_deadline = LocalDateTimeField(
        label=_("Booking deadline"), help_text=_("Guests can book until this time.")
    )
    cancellation_deadline = LocalDateTimeField(
        label=_("Free cancellation until"),
        required=False,
        help_text=_("Leave empty for 48 hours before the start."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("Between 1 and %(max)s guests.") % {"max": MAX_CAPACITY},
    )
    contribution = forms.DecimalField(
        label=_("Contribution per seat (€)"),
        min_value=Decimal("0"),
        max_value=Decimal(MAX_CONTRIBUTION_CENTS) / 100,
        max_digits=5,
        decimal_places=2,
        help_text=_("From 0 (free) to 500 euros, for example 25 or 25.50."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    pledge_percent = forms.IntegerField(
        label=_("Share pledged to Cook4Chance (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_(
            "Part of each contribution that goes to Kiron's laptop fund for refugee students."
        ),
    )
    # Comes out of clean() re-encoded: only decoded pixels are ever stored (accounts.images).
    photo = ReencodedImageFormField(
        label=_("Photo"),
        required=False,
        max_side=EVENT_PHOTO_MAX_SIDE,
        allowed_extensions=EVENT_PHOTO_EXTENSIONS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].group_choices()
        self.fields["photo"].max_upload_bytes = settings.EVENT_PHOTO_MAX_BYTES

    def clean(self):
        cleaned = super().clean()
        city = cleaned.get("city")
        if city is not None:
            for name in ("starts_at", "ends_at", "booking_deadline", "cancellation_deadline"):
                value = cleaned.get(name)
                if isinstance(value, datetime) and timezone.is_naive(value):
                    cleaned[name] = timezone.make_aware(value, city.tz)
        if "contribution" in cleaned and cleaned["contribution"] is not None:
            cleaned["contribution_cents"] = money_to_cents(cleaned["contribution"])
        return cleaned

    @staticmethod
    def initial_for(event: Event) -> dict:
        """The form's initial values for editing ``event``: times as its city's wall clock."""
        tz = event.city.tz

        def local(value):
            return timezone.localtime(value, tz).replace(tzinfo=None) if value else None

        return {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "menu": event.menu,
            "dietary_options": event.dietary_options,
            "languages": event.languages,
            "city": event.city_id,
            "commune": event.commune_id,
            "address": event.address,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "booking_deadline": local(event.booking_deadline),
            "cancellation_deadline": local(event.cancellation_deadline),
            "capacity": event.capacity,
            "contribution": Decimal(event.contribution_cents) / 100,
            "pledge_percent": event.pledge_percent,
            "photo": event.photo or None,
        }


class EventFilterForm(forms.Form):
    """The filters on the event list (a GET form; every field optional)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("maqluba, Catan, vegan…")}
        ),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("date", _("Date, soonest first")), ("price", _("Price, lowest first"))],
    )

    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, empty_label=_("Any city")
    )
    commune = CommuneChoiceField(label=_("Commune"), required=False, empty_label=_("Any commune"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *Kind.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    max_contribution = forms.DecimalField(
        label=_("Max. contribution (€)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    cook4chance = forms.BooleanField(label=_("Cook4Chance only"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["commune"].group_choices()

    def filters(self) -> dict:
        """The valid filters as keyword arguments for ``selectors.event_list_upcoming``.

        Invalid fields are ignored rather than failing the whole page.
        """
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        max_contribution = data.get("max_contribution")
        return {
            "city": data.get("city"),
            "commune": data.get("commune"),
            "kind": data.get("kind") or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "max_contribution_cents": (
                money_to_cents(max_contribution) if max_contribution is not None else None
            ),
            "cook4chance_only": bool(data.get("cook4chance")),
            "query": data.get("q") or "",
            "sort": data.get("sort") or "date",
        }

    def active_count(self) -> int:
        """How many filters are set (shown as "Filters (n)"); search and sort not included."""
        filters = self.filters()
        ignored = {"query", "sort"}
        return sum(
            1
            for key, value in filters.items()
            if key not in ignored and value not in (None, False, "")
        )
