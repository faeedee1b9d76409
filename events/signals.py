"""Signals events sends to the apps above it. Always sent after commit.

- ``event_cancelled(sender, event_id)``: the host (or staff) cancelled a published event;
  bookings refunds and notifies every guest.
"""

from django.dispatch import Signal

event_cancelled = Signal()
