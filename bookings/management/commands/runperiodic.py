"""Run the periodic work of ``CELERY_BEAT_SCHEDULE`` in this process (the embedded default).

``make run`` has no broker and no beat: this command stands in for them, calling each task of
the schedule on its interval, in-process (every task is idempotent, so running one a little
early or twice is harmless). On the real stack run ``celery beat`` and a worker instead.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand


def _seconds(schedule) -> float:
    return schedule.total_seconds() if hasattr(schedule, "total_seconds") else float(schedule)


class Command(BaseCommand):
    help = "Embedded default: run the beat schedule's tasks in this process, each on its interval."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once, then stop.")

    def handle(self, *args, once: bool, **options):
        from meetsies.celery import app

        app.loader.import_default_modules()
        entries = dict(settings.CELERY_BEAT_SCHEDULE)
        due = dict.fromkeys(entries, 0.0)
        if not once:
            self.stdout.write(f"Running {len(entries)} periodic tasks in-process (no beat needed).")
        while True:
            now = time.monotonic()
            for name, entry in entries.items():
                if due[name] > now:
                    continue
                due[name] = now + _seconds(entry["schedule"])
                try:
                    app.tasks[entry["task"]].apply(throw=True)
                except Exception as exc:  # the next round tries again
                    self.stderr.write(f"{entry['task']} failed: {exc!r}")
            if once:
                return
            time.sleep(1)
