"""Follow-up work is enqueued only through ``meetsies.enqueue`` (issue 8.5).

A bare ``.delay()`` or ``.apply_async()`` raises when the broker is down, which would turn a
paid guest's page into an error page; the guarded helper logs and leaves it to the sweeps.
"""

import re

from django.conf import settings

from meetsies.enqueue import enqueue

APPS = ["accounts", "events", "bookings", "donations", "community", "meetsies"]
BARE = re.compile(r"\.(delay|apply_async|delay_on_commit)\(")


def test_no_app_module_enqueues_a_task_without_the_guarded_helper():
    offenders = []
    for app in APPS:
        for path in (settings.BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "enqueue.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BARE.search(line):
                    offenders.append(
                        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
                    )
    assert offenders == []


def test_the_helper_swallows_a_broker_error_and_says_so(caplog):
    class Unreachable:
        name = "tests.unreachable"

        def delay(self, *args):
            raise ConnectionRefusedError("broker down")

    assert enqueue(Unreachable(), 1, 2) is False
    assert "Could not enqueue tests.unreachable(1, 2)" in caplog.text
