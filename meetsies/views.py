"""Site-wide pages: home, health check, error pages. No business logic here."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from events.cache import public_page_cache
from events.models import City
from events.selectors import event_list_upcoming

logger = logging.getLogger(__name__)

DEFAULT_CITY_SLUG = "brussels"
HOME_EVENT_COUNT = 6


def _chosen_city(request: HttpRequest, cities: list[City]) -> City | None:
    """The ``?city=`` slug if known, else the signed-in person's city, else Brussels."""
    by_slug = {city.slug: city for city in cities}
    requested = request.GET.get("city", "")
    if requested in by_slug:
        return by_slug[requested]
    if request.user.is_authenticated:
        profile = getattr(request.user, "profile", None)
        city_id = getattr(profile, "city_id", None)
        for city in cities:
            if city.pk == city_id:
                return city
    return by_slug.get(DEFAULT_CITY_SLUG) or (cities[0] if cities else None)


@require_GET
@public_page_cache
def home(request: HttpRequest) -> HttpResponse:
    cities = list(City.objects.order_by("name"))
    city = _chosen_city(request, cities)
    events = list(event_list_upcoming(city=city)[:HOME_EVENT_COUNT]) if city else []
    return render(request, "home.html", {"cities": cities, "city": city, "events": events})


HEALTH_BROKER_TIMEOUT_S = 1.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    # A key of its own, so the check proves a round trip without touching the site's keys.
    cache.set("healthz:probe", "1", timeout=30)
    if cache.get("healthz:probe") != "1":
        raise RuntimeError("cache did not return what was stored")


def _check_broker() -> None:
    from meetsies.celery import app

    if app.conf.task_always_eager:
        return  # the embedded default has no broker: tasks run in-process
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=HEALTH_BROKER_TIMEOUT_S)


HEALTH_CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database, the cache (Redis on the real stack) and the Celery broker, each one round
    trip; 503 naming what is down. Cheap enough for a load balancer to poll every few seconds."""
    down = []
    for name, check in HEALTH_CHECKS.items():
        try:
            check()
        except Exception as error:
            logger.warning("Health check: %s is down: %s", name, error)
            down.append(name)
    if down:
        return JsonResponse({"ok": False, "down": down}, status=503)
    return JsonResponse({"ok": True})


def bench_reference(request: HttpRequest) -> HttpResponse:
    """The benchmark's yardstick: one small template through the full middleware stack, no
    queries. Mounted only with ``settings.BENCH_REFERENCE_VIEW``."""
    return render(request, "bench/reference.html", {"now": timezone.now()})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that could fail again: render the plain template.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
