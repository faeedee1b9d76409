"""sitemap.xml: the public pages, each in the three languages with hreflang alternates."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from accounts.models import ERASED_EMAIL_DOMAIN, User
from events.models import Event

PUBLIC_EVENT_STATUSES = (Event.Status.PUBLISHED, Event.Status.COMPLETED)


class _I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    languages = [code for code, _name in settings.LANGUAGES]
    limit = 5000


class StaticPagesSitemap(_I18nSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return ["home", "events:list", "donations:impact", "about_kiron", "privacy", "terms"]

    def location(self, item: str) -> str:
        return reverse(item)


class EventSitemap(_I18nSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return (
            Event.objects.filter(status__in=PUBLIC_EVENT_STATUSES)
            .only("pk", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, event: Event):
        return event.updated_at


class HostSitemap(_I18nSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        hosted = Event.objects.filter(host=OuterRef("pk"), status__in=PUBLIC_EVENT_STATUSES)
        return (
            User.objects.filter(Exists(hosted), is_active=True)
            .exclude(email__endswith="@" + ERASED_EMAIL_DOMAIN)
            .only("pk")
            .order_by("pk")
        )

    def location(self, user: User) -> str:
        return reverse("accounts:host", kwargs={"user_id": user.pk})


SITEMAPS = {"pages": StaticPagesSitemap, "events": EventSitemap, "hosts": HostSitemap}
