from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _public_pages_changed(sender, **kwargs) -> None:
    from events.cache import public_pages_changed

    public_pages_changed()


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Cook4Chance fund")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import handlers  # noqa: F401  (connects to the bookings signals)
        from .models import Disbursement, Fund

        # Laptops bought and the fund's settings show on the cached public pages (ledger
        # entries announce themselves in fund_days.fund_day_add).
        for model in (Disbursement, Fund):
            post_save.connect(_public_pages_changed, sender=model, dispatch_uid=f"pages.s.{model}")
            post_delete.connect(
                _public_pages_changed, sender=model, dispatch_uid=f"pages.d.{model}"
            )
