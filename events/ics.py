"""The "Add to calendar" file of an event, built with the icalendar library."""

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import Event


def event_ics(*, event: Event, include_address: bool) -> bytes:
    """An iCalendar file for ``event`` with times in its city's time zone (TZID + VTIMEZONE).

    The location is the commune and city, unless ``include_address`` (the host, confirmed
    guests) adds the exact address.
    """
    tz = event.city.tz
    location = f"{event.commune.name}, {event.city.name}"
    if include_address:
        location = f"{event.address}, {location}"

    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@meetsies")
    entry.add("dtstamp", timezone.now())
    entry.add("summary", event.title)
    entry.add("dtstart", timezone.localtime(event.starts_at, tz))
    entry.add("dtend", timezone.localtime(event.ends_at, tz))
    entry.add("location", location)
    entry.add("description", event.description)
    entry.add("url", f"{settings.SITE_URL}{event.get_absolute_url()}")
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
