from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings and payments")

    def ready(self) -> None:
        from events.selectors import card_annotation_register

        from . import handlers, selectors

        handlers.connect()
        card_annotation_register(selectors.events_annotate_lapsed_seats)
