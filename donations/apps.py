from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Cook4Chance fund")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (connects to the bookings signals)
