"""Template tags other apps' pages use to show booking pieces (the event page's booking panel)."""

from django import template

register = template.Library()


@register.inclusion_tag("bookings/_booking_panel.html", takes_context=True)
def booking_panel(context, event):
    """The booking box on an event page: seat picker and money split, or the guest's booking."""
    return {"event": event, "request": context.get("request"), "user": context.get("user")}
