"""Template tags other apps' pages use to show booking pieces (the event page's booking panel)."""

from django import template
from django.conf import settings

from events.ics import event_place

from .. import selectors, services
from ..forms import HoldForm

register = template.Library()


@register.inclusion_tag("bookings/_booking_panel.html", takes_context=True)
def booking_panel(context, event):
    """The booking box on an event page: seat picker and money split, or the guest's booking."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    data = {"event": event, "request": request, "user": user, "state": "open"}
    authenticated = user is not None and user.is_authenticated
    if authenticated and event.host_id == user.pk:
        data["state"] = "host"
        return data
    if not event.is_bookable():
        data["state"] = "closed"
        return data
    if not authenticated:
        data["state"] = "anonymous"
        return data
    active = selectors.booking_active_for(event=event, user=user)
    if active is not None:
        data.update(state="booked", booking=active)
        return data
    if not selectors.guest_has_verified_email(user=user):
        data["state"] = "unverified"
        return data
    seat_choices = selectors.event_seat_choices(event=event)
    if not seat_choices:
        data["state"] = "sold_out"
        return data
    data.update(
        form=HoldForm(),
        seat_choices=seat_choices,
        split=services.money_split(event=event, seats=1),
        fee_percent=settings.PLATFORM_FEE_PERCENT,
    )
    return data


@register.filter
def place(event, exact: bool = False) -> str:
    """Where an event is, on one line (``events.ics.event_place``): the exact address only if
    ``exact``, then the commune and the city unless the address names them already."""
    return event_place(event, exact=exact)


@register.inclusion_tag("bookings/_money_split.html")
def booking_money_split(split):
    """Total and split of a booking (or of one seat): what goes to Kiron, what to the host."""
    return {"split": split}
