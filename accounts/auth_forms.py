"""allauth's forms with our labels, in sentence case (``ACCOUNT_FORMS``).

Kept apart from ``accounts.forms``: allauth's form module imports that one (the sign-up form
class), so importing allauth's forms from there would be circular.
"""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


def _relabel(form, labels: dict) -> None:
    form.label_suffix = ""
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "login": _("Email address"),
                "password": _("Password"),
                "remember": _("Keep me logged in on this device"),
            },
        )
        self.fields["password"].help_text = ""


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "email": _("Email address"),
                "password1": _("Password"),
                "password2": _("Password again"),
            },
        )


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("Email address")})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": _("New password"), "password2": _("New password again")})
