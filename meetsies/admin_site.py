"""The admin site: Django's, except that signed-in people who are not staff get a 404.

Django would show them the admin login page ("you are not authorised"), which tells a
curious guest that the page exists. Anonymous visitors still get the login page, because
staff sign in there.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class MeetsiesAdminSite(admin.AdminSite):
    site_header = _("Meetsies administration")
    site_title = _("Meetsies admin")
    index_title = _("Meetsies and the Cook4Chance fund")

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not request.user.is_staff:
            raise Http404
        return super().login(request, extra_context)


class MeetsiesAdminConfig(AdminConfig):
    default_site = "meetsies.admin_site.MeetsiesAdminSite"
