"""Site-wide middleware (no business logic)."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.db import OperationalError, connection
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


request_logger = logging.getLogger("meetsies.request")

# An incoming X-Request-ID (from a proxy) is kept if it looks like an id, else a new one is made.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class _QueryCounter:
    """A database execute wrapper that only counts (cheap: no SQL kept)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """One structured line per request on the ``meetsies.request`` logger, so that a slow page
    in production can be found: request id, method, path, status, duration (ms), SQL queries.

    Outermost middleware, so the duration covers the whole stack. The request id comes from the
    proxy's ``X-Request-ID`` when it sends a sane one, and is returned in the response's
    ``X-Request-ID``. With ``settings.REQUEST_STATS_HEADERS`` (the benchmark) the query count
    is returned too, in ``X-DB-Queries``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.stats_headers = getattr(settings, "REQUEST_STATS_HEADERS", False)

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        counter = _QueryCounter()
        start = time.perf_counter()
        status = 500
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            status = response.status_code
        finally:
            duration_ms = (time.perf_counter() - start) * 1000
            request_logger.info(
                "request_id=%s method=%s path=%s status=%s duration_ms=%.1f queries=%d",
                request_id,
                request.method,
                request.path,
                status,
                duration_ms,
                counter.count,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round(duration_ms, 1),
                    "queries": counter.count,
                },
            )
        response["X-Request-ID"] = request_id
        if self.stats_headers:
            response["X-DB-Queries"] = str(counter.count)
        return response
