"""The admin site: Django's, with three changes that keep staff powers to their role.

- Signed-in people who are not staff get a 404 (Django would show its login page, "you are not
  authorised", which tells a curious guest that the page exists).
- Nobody signs in on the admin's own login form: it sends everyone to the site's login
  (allauth's), so staff pass the same rate limits as everyone (``login_failed``, per account and
  per address) and their second factor, and come back to the admin afterwards.
- With ``STAFF_MFA_REQUIRED`` (on whenever ``DATABASE_URL`` is set) staff and superusers must
  have set up a second factor (an authenticator app or a security key / passkey) before any
  admin page opens; until then every admin page sends them to the two-factor page.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def staff_need_second_factor(user) -> bool:
    """Whether ``user`` must set up a second factor before using the admin."""
    # Imported here: this module is loaded with the app registry, before models are ready.
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    if not (settings.STAFF_MFA_REQUIRED and user.is_authenticated):
        return False
    if not (user.is_staff or user.is_superuser):
        return False
    # Recovery codes alone are a fallback, not a second factor.
    second_factors = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    return not is_mfa_enabled(user, types=second_factors)


class MeetsiesAdminSite(admin.AdminSite):
    site_header = _("Meetsies administration")
    site_title = _("Meetsies admin")
    index_title = _("Meetsies and the Cook4Chance fund")

    def login(self, request: HttpRequest, extra_context=None):
        """Never a password form of its own: to the site's (throttled) login and back."""
        if request.user.is_authenticated and not request.user.is_staff:
            raise Http404
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if request.user.is_authenticated:
            return HttpResponseRedirect(next_url)
        query = urlencode({REDIRECT_FIELD_NAME: next_url})
        return HttpResponseRedirect(f"{reverse('account_login')}?{query}")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def second_factor_first(request: HttpRequest, *args, **kwargs):
            if staff_need_second_factor(request.user):
                messages.warning(
                    request,
                    gettext(
                        "Staff need a second factor before opening the admin. Set up an "
                        "authenticator app or a security key here, then open the admin again."
                    ),
                )
                return HttpResponseRedirect(reverse("mfa_index"))
            return inner(request, *args, **kwargs)

        return second_factor_first


class MeetsiesAdminConfig(AdminConfig):
    default_site = "meetsies.admin_site.MeetsiesAdminSite"
