"""Calendar files (iCalendar, built with the icalendar library): the event page's "Add to
calendar" download and the file attached to a booking's confirmation email."""

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import Event


def event_place(event: Event, *, exact: bool = False) -> str:
    """Where an event is, on one line: the exact address (only if ``exact``), commune, city.

    Hosts usually type the postcode and commune into the address ("…, 1050 Ixelles"), so the
    commune and the city are added only when the text does not name them already.
    """
    lines = event.address.splitlines() if exact else []
    text = ", ".join(part for part in (line.strip(" ,") for line in lines) if part)
    for name in (event.commune.local_name, event.city.local_name):
        if name.casefold() not in text.casefold():
            text = f"{text}, {name}" if text else name
    return text


def event_ics(
    *,
    event: Event,
    include_address: bool,
    uid: str | None = None,
    description: str | None = None,
    url: str | None = None,
) -> bytes:
    """An iCalendar file for ``event`` with times in its city's time zone (TZID + VTIMEZONE).

    The location is the commune and city, unless ``include_address`` (the host, confirmed
    guests) puts the exact address first (``event_place``: the commune is not repeated when
    the address names it). A booking passes its own ``uid``, ``description`` and ``url``
    (defaults: the event's id, description and page).
    """
    tz = event.city.tz
    entry = icalendar.Event()
    entry.add("uid", uid or f"event-{event.pk}@meetsies")
    entry.add("dtstamp", timezone.now())
    entry.add("summary", event.title)
    entry.add("dtstart", timezone.localtime(event.starts_at, tz))
    entry.add("dtend", timezone.localtime(event.ends_at, tz))
    entry.add("location", event_place(event, exact=include_address))
    entry.add("description", event.description if description is None else description)
    entry.add("url", url or f"{settings.SITE_URL}{event.get_absolute_url()}")
    if event.status == Event.Status.CANCELLED:
        entry.add("status", "CANCELLED")
    else:
        entry.add("status", "CONFIRMED")

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Meetsies//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
