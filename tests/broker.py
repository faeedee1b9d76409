"""Run the Celery app against a real broker URL (or a dead one) for the length of a test.

``celery_on(url)`` points the app at ``url`` and turns eager execution off; ``broker_down()``
points it at a loopback port where nothing listens, as when Redis is down.
"""

import socket
from contextlib import contextmanager

from meetsies.celery import app as celery_app


def _reset_broker_pools() -> None:
    """Forget the app's pooled broker connections and producers (as Celery does after a fork).

    The pools stay open in kombu's registry, keyed by URL, for the next user of that broker.
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_on(broker_url: str):
    """Run the Celery app against ``broker_url`` for real (no eager mode), then restore it."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.broker_connection_timeout)
    _reset_broker_pools()
    conf.broker_url = broker_url
    conf.task_always_eager = False
    conf.broker_connection_timeout = 2
    try:
        yield celery_app
    finally:
        _reset_broker_pools()
        conf.broker_url, conf.task_always_eager, conf.broker_connection_timeout = saved


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket is closed


def broker_down():
    """The Celery app pointed at a Redis URL where nothing answers."""
    return celery_on(f"redis://127.0.0.1:{closed_port()}/0")
