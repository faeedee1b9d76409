"""The "Get updates by email" form: an address and an explicit, unticked consent box."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NewsletterSubscribeForm(forms.Form):
    """Shape only: a valid email address and a ticked consent box. Whether the address is
    already known is the service's business, and never shown to the person."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to receive the Meetsies newsletter."),
        required=True,
        error_messages={
            "required": _("Tick the box to agree to receive our emails."),
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so the link and the words follow the active language.
        self.fields["consent"].label = format_html(
            gettext(
                "I agree to receive the Meetsies newsletter by email and have read the "
                '<a href="{url}">privacy policy</a>.'
            ),
            url=reverse("privacy"),
        )
