"""Template tags that show the Cook4Chance fund on other apps' pages."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("donations/_event_meter.html")
def event_laptop_meter(event):
    """'This dinner brings laptop #N X% closer', for a Cook4Chance event page.

    N is the laptop being funded now (complete tranches + 1); X is the event's potential
    pledge (pledge per seat × capacity) as a share of one tranche, in whole percent.
    """
    if not getattr(event, "is_cook4chance", False):
        return {"show": False}
    fund = selectors.fund_get_cook4chance()
    potential = event.pledge_per_seat_cents * event.capacity
    return {
        "show": potential > 0,
        "event": event,
        "laptop_number": fund.complete_tranches + 1,
        "percent": potential * 100 // fund.tranche_cents,
    }


@register.inclusion_tag("donations/_host_pledged.html")
def host_pledged(host):
    """What a host's dinners have pledged so far (net of refunds), for the public host page."""
    return {"host": host, "pledged_cents": selectors.host_pledged_cents(host=host)}


@register.inclusion_tag("donations/_fund_progress.html")
def fund_progress():
    """Euros raised, laptops funded and the bar to the next one (home page)."""
    return {"fund": selectors.fund_get_cook4chance()}
