"""The one way follow-up work is enqueued: guarded, so a broker outage never breaks a page.

Every app sends its Celery tasks through ``enqueue`` (now) or ``enqueue_on_commit`` (after the
current transaction commits). If the broker cannot be reached the failure is logged and
swallowed: the page that triggered the work answers normally, and the beat sweep of the app
that owns the task finds the undone work in the database and does it later, once. A task that
nothing could ever find again must not be enqueued this way: write its state first.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any) -> bool:
    """Enqueue ``task(*args)`` now. Never raises: returns False (and logs) when it failed.

    In eager mode (embedded default, tests) the task runs here; an error it raises is logged
    the same way, because the sweep repeats any follow-up that did not complete.
    """
    try:
        task.delay(*args)
    except Exception:
        logger.exception(
            "Could not enqueue %s%r; the sweep will catch up.", getattr(task, "name", task), args
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Enqueue ``task(*args)`` after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args))
