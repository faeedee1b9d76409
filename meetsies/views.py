"""Site-wide pages: home, health check, error pages. No business logic here."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from events.models import City
from events.selectors import event_list_upcoming

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
def home(request: HttpRequest) -> HttpResponse:
    cities = list(City.objects.order_by("name"))
    city = _chosen_city(request, cities)
    events = list(event_list_upcoming(city=city)[:HOME_EVENT_COUNT]) if city else []
    return render(request, "home.html", {"cities": cities, "city": city, "events": events})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that could fail again: render the plain template.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
