from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """After the dinner: attendance, reviews of hosts, reports, host–guest messages, sharing.

    At the top of the dependency chain beside donations: it imports accounts, events and
    bookings; none of them imports it. Their pages show its pieces through template tags.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from . import handlers

        handlers.connect()
