"""Celery tasks of the events app. Each is idempotent and retries with backoff."""

from celery import shared_task

from . import services

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def complete_ended_events() -> int:
    """Beat: move published events whose end has passed to ``completed``. Idempotent."""
    return len(services.events_complete_ended())
