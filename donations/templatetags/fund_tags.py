"""Template tags that show the Cook4Chance fund on other apps' pages."""

from django import template

register = template.Library()


@register.inclusion_tag("donations/_event_meter.html")
def event_laptop_meter(event):
    """'This dinner brings laptop #N X% closer', for a Cook4Chance event page."""
    return {"event": event}


@register.inclusion_tag("donations/_host_pledged.html")
def host_pledged(host):
    """What a host's dinners have pledged so far, for the public host page."""
    return {"host": host}


@register.inclusion_tag("donations/_fund_progress.html")
def fund_progress():
    """Euros raised, laptops funded and the bar to the next one (home page)."""
    return {}
