from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class HoldForm(forms.Form):
    """Seats and dietary notes; the service checks what needs the database."""

    seats = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        error_messages={
            "required": _("Choose how many seats you want."),
            "invalid": _("Enter a whole number of seats."),
            "min_value": _("Choose at least one seat."),
        },
    )
    dietary_notes = forms.CharField(
        label=_("Dietary notes"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Allergies or preferences the host should know about."),
    )

    def clean_seats(self) -> int:
        seats = self.cleaned_data["seats"]
        if seats > settings.BOOKING_MAX_SEATS:
            raise ValidationError(
                _("You can book at most %(max)s seats at once."),
                code="too_many_seats",
                params={"max": settings.BOOKING_MAX_SEATS},
            )
        return seats


class PayForm(forms.Form):
    """The payment method id Stripe.js produced from the card element."""

    payment_method = forms.RegexField(
        regex=r"^pm_[A-Za-z0-9_]{1,200}$",
        error_messages={
            "required": _("The card could not be read. Please try again."),
            "invalid": _("The card could not be read. Please try again."),
        },
    )
