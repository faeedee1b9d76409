"""Reads of events that are more than a one-liner. Every list selects its related rows up front
so a page runs the same number of queries whatever the number of events."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from .models import City, Commune, Event, EventChange

# Apps above events refine every event a page shows without events importing them: bookings
# annotates ``seats_lapsed`` (seats of holds that ran out and no sweep freed yet), which
# ``Event.seats_left`` counts as free. Each function takes and returns an Event queryset and
# must add no query per row (one subquery, an annotation).
CardAnnotation = Callable[[QuerySet[Event]], QuerySet[Event]]
_card_annotations: list[CardAnnotation] = []


def card_annotation_register(annotate: CardAnnotation) -> None:
    """Apply ``annotate`` to the events of every page (called from an ``AppConfig.ready``)."""
    if annotate not in _card_annotations:
        _card_annotations.append(annotate)


def _card_queryset() -> QuerySet[Event]:
    events = Event.objects.select_related("city", "commune", "host", "host__profile")
    for annotate in _card_annotations:
        events = annotate(events)
    return events


def event_list_upcoming(
    *,
    city: City | None = None,
    commune: Commune | None = None,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    max_contribution_cents: int | None = None,
    cook4chance_only: bool = False,
    query: str = "",
    sort: str = "date",
) -> QuerySet[Event]:
    """Published events that have not started, filtered, soonest first (``sort="price"``:
    cheapest first, then soonest).

    Dates are whole days in the site's time zone (``date_to`` included). ``query`` keeps the
    events whose title, description or menu match it (``event_search``).
    """
    events = _card_queryset().published().upcoming()
    if query.strip():
        events = event_search(events, query=query)
    if city is not None:
        events = events.filter(city=city)
    if commune is not None:
        events = events.filter(commune=commune)
    if kind:
        events = events.filter(kind=kind)
    if date_from is not None:
        events = events.filter(starts_at__gte=_day_start(date_from))
    if date_to is not None:
        events = events.filter(starts_at__lt=_day_start(date_to + timedelta(days=1)))
    if max_contribution_cents is not None:
        events = events.filter(contribution_cents__lte=max_contribution_cents)
    if cook4chance_only:
        events = events.filter(pledge_percent__gt=0, contribution_cents__gt=0)
    if sort == SORT_PRICE:
        return events.order_by("contribution_cents", "starts_at", "pk")
    return events.order_by("starts_at", "pk")


SORT_DATE = "date"
SORT_PRICE = "price"
# Hosts write in any of the site's languages: each text is stemmed the three ways.
SEARCH_CONFIGS = ("english", "french", "dutch")
SEARCHED_FIELDS = (("title", "A"), ("menu", "B"), ("description", "C"))


def event_search(events: QuerySet[Event], *, query: str) -> QuerySet[Event]:
    """``events`` whose title, description or menu match ``query``.

    On PostgreSQL: full-text search, each field stemmed in English, French and Dutch (so
    "dîners" finds "dîner", "spelletjes" finds "spelletje"), the words of the query all
    required (``websearch`` syntax: "quoted phrases", -excluded), plus a plain substring match
    on the title for a word typed halfway. Elsewhere (the SQLite embedded default): every word
    must appear, case-insensitively, in one of the three fields.
    """
    query = " ".join(query.split())[:200]
    if not query:
        return events
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = None
        for config in SEARCH_CONFIGS:
            for field, weight in SEARCHED_FIELDS:
                part = SearchVector(field, config=config, weight=weight)
                vector = part if vector is None else vector + part
        search = None
        for config in SEARCH_CONFIGS:
            part = SearchQuery(query, config=config, search_type="websearch")
            search = part if search is None else search | part
        return events.annotate(search_document=vector).filter(
            Q(search_document=search) | Q(title__icontains=query)
        )
    for word in query.split():
        events = events.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(menu__icontains=word)
        )
    return events


class CappedCountPaginator(Paginator):
    """A paginator whose COUNT and OFFSET stop at ``max_rows`` rows, whatever the table size.

    ``count`` is exact up to ``max_rows`` (one ``COUNT`` over a ``LIMIT max_rows + 1``
    subquery, which stops at the cap); past it ``capped`` is true and pages end at the cap,
    so no page makes the database skip more than ``max_rows`` rows either. Narrower filters
    give exact counts again.
    """

    def __init__(self, object_list, per_page, *, max_rows: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_rows = max_rows

    @cached_property
    def count(self) -> int:
        return min(self.object_list[: self.max_rows + 1].count(), self.max_rows + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.max_rows

    def page(self, number):
        page = super().page(number)
        if self.capped:
            # Keep the last page inside the cap (the extra counted row only says "more").
            page.object_list = page.object_list[: max(self.max_rows - page.start_index() + 1, 0)]
        return page

    @cached_property
    def num_pages(self) -> int:
        return max(-(-min(self.count, self.max_rows) // self.per_page), 1)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def event_get_visible(*, pk: int, user) -> Event:
    """The event page's event: anything but a draft, or a draft for its host; else 404.

    Staff are users like any other here: another host's draft does not exist for them."""
    events = _card_queryset().visible_to(user)
    try:
        return events.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404 from None


def event_get_managed(*, pk: int, user) -> Event:
    """An event ``user`` hosts; 404 for everyone else (staff included), so others cannot even
    learn that it exists."""
    events = _card_queryset().filter(host=user)
    try:
        return events.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404 from None


def event_list_hosted_by(*, host) -> QuerySet[Event]:
    """All of a host's events for their "My events" page, the latest start first."""
    return _card_queryset().filter(host=host).order_by("-starts_at", "-pk")


def event_list_upcoming_hosted_by(*, host) -> QuerySet[Event]:
    """A host's published upcoming events, for their public page."""
    return _card_queryset().published().upcoming().filter(host=host).order_by("starts_at")


def event_changes_unnotified(*, created_before) -> list[int]:
    """Ids of recorded event changes whose guests were never told, oldest first (for a sweep)."""
    return list(
        EventChange.objects.filter(guests_notified_at=None, created_at__lte=created_before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
