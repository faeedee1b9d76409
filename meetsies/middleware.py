"""Site-wide middleware (no business logic)."""

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATEs for "lock_timeout expired" and "statement_timeout expired".
BUSY_SQLSTATES = {"55P03", "57014"}


def _is_busy(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    return getattr(cause, "pgcode", None) in BUSY_SQLSTATES


class DatabaseBusyMiddleware:
    """A request that waited too long for a row lock or a query answers 503, "try again".

    ``lock_timeout`` and ``statement_timeout`` (settings) make PostgreSQL give up; this turns
    that into a page that says what happened, with ``Retry-After``, instead of a 500. Nothing
    was saved: the failed statement rolled back its transaction.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError) or not _is_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response
