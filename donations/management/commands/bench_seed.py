"""Seed a benchmark database with a real city's worth of data, in bulk (``make bench``).

10,000 events, 100,000 bookings and 1,000,000 ledger entries by default, in a minute or two:
users and events through ``bulk_create``, bookings and ledger entries through PostgreSQL's
``COPY``. Runs only on PostgreSQL, and only on a database whose name contains "bench", so it
can never fill the development or test database. Run ``load_demo_data`` first (cities,
communes, the fund). Seeding twice does nothing the second time.
"""

import io
import random
import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from bookings.models import Booking
from donations.bootstrap import COOK4CHANCE_SLUG
from donations.fund_days import fund_days_rebuild
from donations.models import Fund, LedgerEntry
from events.models import Commune, Event, Kind

BENCH_DOMAIN = "bench.meetsies.local"
BENCH_GUEST_EMAIL = f"guest@{BENCH_DOMAIN}"
BENCH_HOST_EMAIL = f"host-0@{BENCH_DOMAIN}"


def _copy(table: str, columns: list[str], rows) -> int:
    """``COPY table (columns) FROM STDIN`` with tab-separated rows; returns the row count."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buffer
        )
    return count


class Command(BaseCommand):
    help = "Fill a *bench* PostgreSQL database with many events, bookings and ledger entries."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=10_000)
        parser.add_argument("--bookings", type=int, default=100_000)
        parser.add_argument("--ledger", type=int, default=1_000_000)
        parser.add_argument("--hosts", type=int, default=500)
        parser.add_argument("--guests", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=13)

    def handle(self, *args, **options):
        name = settings.DATABASES["default"]["NAME"]
        if connection.vendor != "postgresql" or "bench" not in str(name):
            raise CommandError(
                f"bench_seed fills only a PostgreSQL database named *bench* (this is {name!r})."
            )
        User = get_user_model()
        if User.objects.filter(email=BENCH_HOST_EMAIL).exists():
            self.stdout.write("Benchmark data already seeded: nothing to do.")
            return
        communes = list(Commune.objects.select_related("city"))
        fund = Fund.objects.filter(slug=COOK4CHANCE_SLUG).first()
        if not communes or fund is None:
            raise CommandError("Run load_demo_data first (cities, communes and the fund).")
        rng = random.Random(options["seed"])
        started = time.monotonic()
        with transaction.atomic():
            hosts, guests = self._users(User, options["hosts"], options["guests"])
            events = self._events(rng, hosts, communes, options["events"])
            bookings = self._bookings(rng, events, guests, options["bookings"])
            entries = self._ledger(rng, fund, options["ledger"])
        with connection.cursor() as cursor:
            for table in ("events_event", "bookings_booking", "donations_ledgerentry"):
                cursor.execute(f"ANALYZE {table}")
        self.stdout.write(
            f"Seeded {len(events)} events, {bookings} bookings, {entries} ledger entries "
            f"in {time.monotonic() - started:.0f} s."
        )

    def _users(self, User, n_hosts: int, n_guests: int):
        now = timezone.now()

        def user(email: str):
            return User(email=email, password="!bench", date_joined=now, language="en")

        User.objects.bulk_create(
            [user(f"host-{i}@{BENCH_DOMAIN}") for i in range(n_hosts)]
            + [user(f"guest-{i}@{BENCH_DOMAIN}") for i in range(n_guests)]
            + [user(BENCH_GUEST_EMAIL)],
            batch_size=2000,
        )
        bench = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")
        # Guests must have a verified address to book.
        EmailAddress.objects.bulk_create(
            (
                EmailAddress(user_id=pk, email=email, verified=True, primary=True)
                for pk, email in bench.values_list("pk", "email")
            ),
            batch_size=2000,
        )
        hosts = list(bench.filter(email__startswith="host-").values_list("pk", flat=True))
        guests = list(bench.filter(email__startswith="guest-").values_list("pk", flat=True))
        return hosts, guests

    def _events(self, rng, hosts, communes, count: int) -> list[Event]:
        """A third in the past (completed), the rest over the next year, published."""
        now = timezone.now()
        kinds = [k.value for k in Kind]
        events = []
        for i in range(count):
            past = i % 3 == 0
            offset = timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            start = (now - offset) if past else (now + offset)
            commune = communes[i % len(communes)]
            contribution = rng.choice([0, 1000, 1500, 2000, 2500, 3000, 4000])
            events.append(
                Event(
                    host_id=hosts[i % len(hosts)],
                    kind=kinds[i % len(kinds)],
                    title=f"Bench {kinds[i % len(kinds)].replace('_', ' ')} {i}",
                    description="A benchmark event. " * 10,
                    menu="Soup, bread, a stew, a cake.",
                    dietary_options=["vegetarian"],
                    languages=["en", "fr"],
                    city_id=commune.city_id,
                    commune_id=commune.pk,
                    address=f"Rue du Banc {i}, {commune.name}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    booking_deadline=start - timedelta(hours=2),
                    cancellation_deadline=start - timedelta(hours=48),
                    capacity=rng.randint(10, 20),
                    seats_reserved=0,
                    contribution_cents=contribution,
                    pledge_percent=rng.choice([0, 25, 50, 100]),
                    status=Event.Status.COMPLETED if past else Event.Status.PUBLISHED,
                    published_at=now - timedelta(days=400),
                    completed_at=start + timedelta(hours=3) if past else None,
                )
            )
        return Event.objects.bulk_create(events, batch_size=2000)

    def _bookings(self, rng, events, guests, count: int) -> int:
        """Confirmed bookings of one seat, spread evenly; the bench guest gets 20 of them."""
        now = timezone.now()
        per_event = max(-(-count // max(len(events), 1)), 1)
        bench_guest = get_user_model().objects.get(email=BENCH_GUEST_EMAIL).pk
        columns = [
            "reference", "event_id", "guest_id", "seats", "dietary_notes", "currency",
            "unit_price_cents", "gross_cents", "pledge_percent", "pledge_cents",
            "platform_fee_cents", "host_cents", "status", "hold_expires_at", "confirmed_at",
            "created_at", "updated_at", "event_change_sent",
        ]  # fmt: skip
        reserved: dict[int, int] = {}

        def rows():
            n = 0
            for event in events:
                for _k in range(min(per_event, event.capacity)):
                    if n >= count:
                        return
                    guest = bench_guest if n % (count // 20 or 1) == 0 else rng.choice(guests)
                    gross = event.contribution_cents
                    pledge = gross * event.pledge_percent // 100
                    reserved[event.pk] = reserved.get(event.pk, 0) + 1
                    yield (
                        f"B{n:011d}", event.pk, guest, 1, "", "EUR", gross, gross,
                        event.pledge_percent, pledge, 0, gross - pledge,
                        Booking.Status.CONFIRMED, now.isoformat(), now.isoformat(),
                        now.isoformat(), now.isoformat(), "",
                    )  # fmt: skip
                    n += 1

        written = _copy("bookings_booking", columns, rows())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE events_event e SET seats_reserved = b.n FROM "
                "(SELECT event_id, count(*) AS n FROM bookings_booking "
                "WHERE reference LIKE 'B%%' GROUP BY event_id) b WHERE e.id = b.event_id"
            )
        return written

    def _ledger(self, rng, fund: Fund, count: int) -> int:
        """Pledges spread over the last two years, oldest first, the first ones tied to the
        pledging bench bookings; the fund's totals and tranche rows follow."""
        now = timezone.now()
        start = now - timedelta(days=730)
        step = timedelta(days=730) / max(count, 1)
        pledging = list(
            Booking.objects.filter(reference__startswith="B", pledge_cents__gt=0)
            .order_by("pk")
            .values_list("pk", "pledge_cents")
        )
        net = fund.net_cents
        columns = [
            "fund_id", "kind", "amount_cents", "reference", "booking_id",
            "net_after_cents", "created_at",
        ]  # fmt: skip

        def rows():
            nonlocal net
            for i in range(count):
                if i < len(pledging):
                    booking_id, amount = pledging[i]
                    reference = f"bench-booking:{booking_id}"
                else:
                    booking_id, amount = None, rng.randint(100, 2000)
                    reference = f"bench:{i}"
                net += amount
                created = start + step * i
                yield (
                    fund.pk, LedgerEntry.Kind.PLEDGE, amount, reference, booking_id, net,
                    created.isoformat(),
                )  # fmt: skip

        written = _copy("donations_ledgerentry", columns, rows())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE donations_fund SET pledged_cents = "
                "(SELECT coalesce(sum(amount_cents), 0) FROM donations_ledgerentry "
                "WHERE fund_id = %s AND kind = 'pledge') WHERE id = %s",
                [fund.pk, fund.pk],
            )
            cursor.execute(
                "INSERT INTO donations_tranche (fund_id, number, completed_at, staff_notified_at) "
                "SELECT %s, n, now(), now() FROM generate_series(1, "
                "(SELECT greatest(pledged_cents - reversed_cents, 0) / tranche_cents "
                "FROM donations_fund WHERE id = %s)) AS n "
                "ON CONFLICT DO NOTHING",
                [fund.pk, fund.pk],
            )
        fund_days_rebuild(fund_id=fund.pk)
        return written
