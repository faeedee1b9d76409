"""The page cache of the public pages (home, event list, event page, impact page).

Anonymous visitors' GETs are served from the cache (Redis on the real stack, local memory in
the embedded default) under a key made of a *version*, the language and the full path with
its query string. The version belongs to this app, the lowest one with public pages: anything
that changes what those pages show moves it with ``public_pages_changed()`` after commit, and
every cached page is then stale at once. Events move it themselves (``post_save``), bookings
when seats change, donations when the fund changes: they import this module, never the other
way round, so the dependency direction holds.

Never cached: signed-in people (their pages show their own bookings and forms), anyone whose
request carries a session or messages cookie, anything but a plain 200, and responses that
set cookies. ``settings.PUBLIC_PAGE_CACHE`` turns it off; ``PUBLIC_PAGE_CACHE_SECONDS``
bounds the life of an entry even if an invalidation was missed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
TIME_SENSITIVE_KEY = "public-pages:time-sensitive-until"
TIME_SENSITIVE_SECONDS = 5
PAGE_KEY_PREFIX = "public-page"


def _clock() -> float:
    return time.time()


def public_pages_version() -> str:
    """The current version of the public pages (one cache round trip).

    While a seat hold is running somewhere (``public_pages_time_sensitive``), the version also
    changes every ``TIME_SENSITIVE_SECONDS``: a hold that lapses frees its seats on the pages
    with no write to announce it, so no page is then older than that.
    """
    values = cache.get_many([VERSION_KEY, TIME_SENSITIVE_KEY])
    version = values.get(VERSION_KEY)
    if version is None:
        # add(): two workers starting at once agree on one value.
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    now = _clock()
    until = values.get(TIME_SENSITIVE_KEY)
    if until is not None and until >= now - TIME_SENSITIVE_SECONDS:
        return f"{version}.{int(now // TIME_SENSITIVE_SECONDS)}"
    return str(version)


def public_pages_time_sensitive(*, until: datetime) -> None:
    """The public pages change by themselves until ``until`` (a seat hold lapses then): keep
    cached pages at most ``TIME_SENSITIVE_SECONDS`` old until that moment. After commit."""
    if not getattr(settings, "PUBLIC_PAGE_CACHE", True):
        return

    def mark() -> None:
        try:
            deadline = until.timestamp()
            current = cache.get(TIME_SENSITIVE_KEY)
            if current is None or current < deadline:
                timeout = max(int(deadline - _clock()) + 2 * TIME_SENSITIVE_SECONDS, 1)
                cache.set(TIME_SENSITIVE_KEY, deadline, timeout=timeout)
        except Exception:
            logger.exception("Could not mark the public pages as time-sensitive")

    transaction.on_commit(mark)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: any new one differs from what pages were cached under
        cache.add(VERSION_KEY, 2, timeout=None)
    except Exception:
        # A cache outage must not break the write that triggered it; entries then live at most
        # PUBLIC_PAGE_CACHE_SECONDS.
        logger.exception("Could not move the public pages' cache version")


def public_pages_changed() -> None:
    """Make every cached public page stale once the current transaction commits.

    Call from any write that changes what an anonymous visitor sees: an event, its seats, the
    fund. Outside a transaction it acts at once. Never raises. Does nothing while the page
    cache is off (``settings.PUBLIC_PAGE_CACHE``): there is nothing to invalidate.
    """
    if getattr(settings, "PUBLIC_PAGE_CACHE", True):
        transaction.on_commit(_bump)


def _cacheable_request(request: HttpRequest) -> bool:
    if not getattr(settings, "PUBLIC_PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    # No session and no pending messages: the page cannot be anyone's own.
    return not (settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES)


def _page_key(request: HttpRequest, version: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"{PAGE_KEY_PREFIX}:{version}:{get_language()}:{path}"


def public_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s anonymous GETs from the page cache (see the module docstring).

    Responses keep ``Vary: Cookie`` (a signed-in person's page differs) and say in
    ``X-Page-Cache`` whether they came from the cache.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        try:
            key = _page_key(request, public_pages_version())
            cached = cache.get(key)
        except Exception:
            logger.exception("Page cache unavailable; rendering %s", request.path)
            return view(request, *args, **kwargs)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Page-Cache"] = "hit"
            patch_vary_headers(response, ["Cookie"])
            return response
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        user = getattr(request, "user", None)
        storable = (
            response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
            and not (user is not None and user.is_authenticated)
            # A page with a CSRF token in it is someone's own (CsrfViewMiddleware is about
            # to set their cookie): never shared.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        )
        if storable:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            headers = {
                name: value
                for name, value in response.items()
                if name in ("Content-Type", "Content-Language")
            }
            try:
                cache.set(
                    key,
                    (response.content, headers),
                    timeout=getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300),
                )
            except Exception:
                logger.exception("Could not store %s in the page cache", request.path)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def public_fragment(name: str, vary: str, render: Callable[[], str]) -> str:
    """A piece of a public page, rendered once per version, language and ``vary`` (e.g. the
    query string) and then read from the cache; used where signed-in people's pages share it
    with everyone's (the event list's filter form). ``render`` when the page cache is off."""
    if not getattr(settings, "PUBLIC_PAGE_CACHE", True):
        return render()
    try:
        digest = hashlib.sha256(vary.encode()).hexdigest()[:32]
        key = f"public-fragment:{name}:{public_pages_version()}:{get_language()}:{digest}"
        html = cache.get(key)
    except Exception:
        logger.exception("Fragment cache unavailable; rendering %s", name)
        return render()
    if html is None:
        html = render()
        try:
            cache.set(key, html, timeout=getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300))
        except Exception:
            logger.exception("Could not store the %s fragment", name)
    return html
