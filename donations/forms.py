"""Forms of the donations app: the shape of input; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PayoutDetailsForm(forms.Form):
    holder_name = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        help_text=_("The name on the bank account, as the bank knows it."),
        strip=False,
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=50,
        help_text=_("For example BE68 5390 0754 7034. Spaces are fine."),
    )
    password = forms.CharField(
        label=_("Your Meetsies password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm it is you: bank details decide where your money goes."),
    )
