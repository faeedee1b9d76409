"""gunicorn's configuration for every deployment of the site (docker-compose, the benchmark).

Sized to the machine: ``2 × cores`` sync workers (pages are short, database-bound requests; a
sync worker holds one request at a time and one database connection). Each worker is replaced
after ``max_requests`` (± jitter, so they do not all restart together) to cap slow growth of
memory. Every value can be overridden from the environment (``GUNICORN_*``).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count())
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _int("GUNICORN_THREADS", 1)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# A request still running after this is killed (and logged); Postgres' statement_timeout
# (settings.DB_STATEMENT_TIMEOUT_MS) answers first for slow queries.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# The site's own middleware writes one structured line per request (meetsies.request_log);
# gunicorn's access log would repeat it.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "meetsies.wsgi:application"
