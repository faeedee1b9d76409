"""Template tags other apps' pages use to show events (the public host page lists a host's events).

Accounts sits below events, so it cannot import them in Python; its templates load this instead.
"""

from django import template

from ..selectors import event_list_upcoming_hosted_by

register = template.Library()

# The public host page shows the soonest events only: a busy host's page stays one screen and
# one bounded query.
HOST_PAGE_EVENTS = 12


@register.inclusion_tag("events/_host_events.html")
def host_upcoming_events(host):
    """The host's next published upcoming events as cards (at most ``HOST_PAGE_EVENTS``)."""
    events = list(event_list_upcoming_hosted_by(host=host)[: HOST_PAGE_EVENTS + 1])
    return {
        "host": host,
        "events": events[:HOST_PAGE_EVENTS],
        "more": len(events) > HOST_PAGE_EVENTS,
    }
