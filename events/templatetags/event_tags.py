"""Template tags other apps' pages use to show events (the public host page lists a host's events).

Accounts sits below events, so it cannot import them in Python; its templates load this instead.
"""

from django import template

from ..selectors import event_list_upcoming_hosted_by

register = template.Library()


@register.inclusion_tag("events/_host_events.html")
def host_upcoming_events(host):
    """The host's published upcoming events as cards."""
    return {"host": host, "events": event_list_upcoming_hosted_by(host=host)}
