"""Receivers for the signals of the apps below bookings. Each enqueues a task and returns."""

from events.signals import event_cancelled


def on_event_cancelled(sender, event_id: int, **kwargs) -> None:
    """The host cancelled an event: refund and tell every guest (in a Celery task)."""
    from .tasks import cancel_event_bookings

    cancel_event_bookings.delay(event_id)


def connect() -> None:
    event_cancelled.connect(on_event_cancelled, dispatch_uid="bookings.on_event_cancelled")
