"""What the HTTP benchmark needs from a seeded *bench* database, printed as one JSON line.

The URLs of the pages to load (an upcoming Cook4Chance event, its host, a commune and kind
with events, ...), a signed-in session for the bench guest, and with ``--race N`` a fresh
hot event of ``--seats`` seats plus N guests with sessions and CSRF secrets for the seat-hold
race. ``--race-result EVENT_ID`` prints what the race left: holds and oversold seats.
"""

import json
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Booking
from events.models import Commune, Event

from .bench_seed import BENCH_DOMAIN, BENCH_GUEST_EMAIL


def _session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Command(BaseCommand):
    help = "Print the benchmark's URLs, sessions and seat-race fixtures as JSON (bench DBs only)."

    def add_arguments(self, parser):
        parser.add_argument("--race", type=int, default=0, help="guests for the seat-hold race")
        parser.add_argument("--seats", type=int, default=50)
        parser.add_argument("--race-result", type=int, default=0, metavar="EVENT_ID")

    def handle(self, *args, **options):
        if "bench" not in str(settings.DATABASES["default"]["NAME"]):
            raise CommandError("bench_fixtures runs only on a database named *bench*.")
        if options["race_result"]:
            self.stdout.write(json.dumps(self._race_result(options["race_result"])))
            return
        if options["race"]:
            self.stdout.write(json.dumps(self._race(options["race"], options["seats"])))
            return
        self.stdout.write(json.dumps(self._pages()))

    def _pages(self) -> dict:
        User = get_user_model()
        guest = User.objects.get(email=BENCH_GUEST_EMAIL)
        upcoming = Event.objects.published().upcoming()
        event = (
            upcoming.filter(pledge_percent__gt=0, contribution_cents__gt=0)
            .exclude(host=guest)
            .order_by("starts_at", "pk")
            .first()
        )
        busiest_host = (
            upcoming.values("host").order_by().annotate(n=Sum("capacity")).order_by("-n").first()
        )
        commune = Commune.objects.filter(events__in=upcoming).order_by("pk").first()
        kind = upcoming.filter(commune=commune).values_list("kind", flat=True).first()
        return {
            "event_id": event.pk,
            "host_id": busiest_host["host"],
            "commune_id": commune.pk,
            "kind": kind,
            "session": _session_for(guest),
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "counts": {
                "events": Event.objects.count(),
                "bookings": Booking.objects.count(),
                "ledger_entries": _count("donations_ledgerentry"),
            },
        }

    def _race(self, guests: int, seats: int) -> dict:
        User = get_user_model()
        host = User.objects.get(email=f"host-0@{BENCH_DOMAIN}")
        commune = Commune.objects.select_related("city").order_by("pk").first()
        start = timezone.now() + timedelta(days=10)
        event = Event.objects.create(
            host=host,
            title="Bench hot event",
            description="Everyone wants a seat.",
            city=commune.city,
            commune=commune,
            address="Rue du Banc 1",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            booking_deadline=start - timedelta(hours=2),
            cancellation_deadline=start - timedelta(hours=48),
            capacity=seats,
            contribution_cents=2000,
            pledge_percent=50,
            status=Event.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        stamp = secrets.token_hex(4)
        users = User.objects.bulk_create(
            [
                User(email=f"race-{stamp}-{i}@{BENCH_DOMAIN}", password="!bench")
                for i in range(guests)
            ]
        )
        # Only people with a verified address may book.
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        clients = []
        for user in users:
            clients.append({"session": _session_for(user), "csrf": secrets.token_hex(16)})
        return {
            "event_id": event.pk,
            "capacity": seats,
            "clients": clients,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
        }

    def _race_result(self, event_id: int) -> dict:
        event = Event.objects.get(pk=event_id)
        taken = (
            Booking.objects.filter(event=event, status__in=Booking.SEAT_TAKING).aggregate(
                seats=Sum("seats")
            )["seats"]
            or 0
        )
        holds = Booking.objects.filter(event=event, status__in=Booking.SEAT_TAKING).count()
        return {
            "capacity": event.capacity,
            "seats_reserved": event.seats_reserved,
            "seats_in_bookings": taken,
            "holds": holds,
            "oversold": max(taken - event.capacity, event.seats_reserved - event.capacity, 0),
        }


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed table name)
        return cursor.fetchone()[0]
