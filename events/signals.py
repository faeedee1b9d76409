"""Signals events sends to the apps above it. Always sent after commit.

- ``event_cancelled(sender, event_id)``: the host (or staff) cancelled a published event;
  bookings refunds and notifies every guest.
- ``event_changed(sender, event_id, change_id, changes)``: the host changed something guests of a
  published event rely on; ``change_id`` is the ``EventChange`` row recorded with it (its
  ``guests_notified_at`` is set once they were told). ``changes`` maps each changed field (``starts_at``, ``ends_at``, ``city``,
  ``commune``, ``address``) to an ``(old, new)`` pair of JSON-serialisable values: ISO 8601
  strings for datetimes, names for the city and commune, text for the address. Typo fixes in
  the title or description send nothing.
"""

from django.dispatch import Signal

event_cancelled = Signal()
event_changed = Signal()
