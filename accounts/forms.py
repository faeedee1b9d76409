"""Forms for a person's own account pages. They check shape; rules live in ``accounts.services``."""

import json

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Language, Profile
from .services import display_name_validate, profile_set_display_name


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "city", "commune", "languages", "photo"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "display_name": _("The name guests and hosts see."),
            "commune": _("Shown on your public page; your address never is."),
            "photo": _("Optional. A JPEG, PNG, WebP or GIF image."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Communes grouped by city, one <optgroup> each; validation still uses the queryset.
        # static/js/commune-filter.js reads the data-* attributes to hide other cities' communes.
        commune = self.fields["commune"]
        groups: dict[str, list] = {}
        by_city: dict[str, list[int]] = {}
        for obj in commune.queryset.select_related("city").order_by("city__name", "name"):
            groups.setdefault(obj.city.local_name, []).append((obj.pk, obj.local_name))
            by_city.setdefault(str(obj.city_id), []).append(obj.pk)
        commune.choices = [("", commune.empty_label or ""), *groups.items()]
        commune.widget.attrs["data-city-field"] = "city"
        commune.widget.attrs["data-city-communes"] = json.dumps(by_city, separators=(",", ":"))
        self.fields["photo"].help_text = _(
            "Optional. A JPEG, PNG, WebP or GIF image of at most %(limit)s."
        ) % {"limit": filesizeformat(settings.PROFILE_PHOTO_MAX_BYTES)}
        # The model's field re-encodes the photo (accounts.images); the limit is read now so
        # a test's or deployment's setting applies. Checked before anything is decoded.
        self.fields["photo"].max_upload_bytes = settings.PROFILE_PHOTO_MAX_BYTES


class SignupForm(forms.Form):
    """allauth's sign-up, plus the name others will see (``ACCOUNT_SIGNUP_FORM_CLASS``).

    The public name is asked for here so that it is never derived from the email address.
    """

    display_name = forms.CharField(
        label=_("Your name, as others see it"),
        max_length=60,
        help_text=_(
            "A first name or a nickname. Guests and hosts see it; your email they never do."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    field_order = ["display_name"]

    def clean_display_name(self) -> str:
        return display_name_validate(self.cleaned_data["display_name"])

    def signup(self, request, user) -> None:
        """Called by allauth once the user is saved."""
        profile_set_display_name(user=user, display_name=self.cleaned_data["display_name"])


class DisplayNameForm(forms.Form):
    """The public name, asked before a first publish from someone who never chose one."""

    display_name = SignupForm.base_fields["display_name"]

    def clean_display_name(self) -> str:
        return display_name_validate(self.cleaned_data["display_name"])


class AccountEraseForm(forms.Form):
    """Erasing an account: the current password again and the email address typed out."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirmation = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    error_messages = {
        "password_incorrect": _("That is not your password. Nothing was erased."),
        "confirmation_mismatch": _(
            "Type your email address exactly as shown to confirm. Nothing was erased."
        ),
    }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].help_text = _("Your email address is %(email)s.") % {
            "email": user.email
        }

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return password

    def clean_confirmation(self) -> str:
        confirmation = self.cleaned_data["confirmation"].strip()
        if confirmation.lower() != self.user.email.lower():
            raise forms.ValidationError(
                self.error_messages["confirmation_mismatch"], code="confirmation_mismatch"
            )
        return confirmation
