"""Per-day totals of a fund's ledger (``FundDay``), kept as entries are written.

Kept apart from ``services.py`` on purpose: one call from ``_entry_write`` is all the ledger
code needs, and the chart's reads (``selectors.fund_net_by_day``) never group the ledger.
"""

import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from events.cache import public_pages_changed

from .models import Fund, FundDay


def ledger_day(moment: datetime) -> date:
    """The day a ledger entry counts on: its date in the site's time zone."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


UPSERT_SQL = """
INSERT INTO donations_fundday (fund_id, day, net_change_cents, entries) VALUES (%s, %s, %s, 1)
ON CONFLICT (fund_id, day) DO UPDATE SET
    net_change_cents = donations_fundday.net_change_cents + excluded.net_change_cents,
    entries = donations_fundday.entries + 1
"""


def fund_day_add(*, fund: Fund, amount_cents: int, at: datetime) -> None:
    """Add one ledger entry of ``amount_cents`` to its day's total.

    Call in the transaction that writes the entry (it commits or rolls back with it). One
    atomic upsert (PostgreSQL and SQLite both have ``ON CONFLICT ... DO UPDATE``), so it stays
    exact even without the fund row lock.
    """
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_SQL, [fund.pk, ledger_day(at), amount_cents])
    # The impact page, the home page's meter and the event pages' laptop meter show the fund.
    public_pages_changed()


REBUILD_SQL = """
DELETE FROM donations_fundday WHERE fund_id = %(fund)s;
INSERT INTO donations_fundday (fund_id, day, net_change_cents, entries)
SELECT fund_id, (created_at AT TIME ZONE %(tz)s)::date, sum(amount_cents), count(*)
FROM donations_ledgerentry WHERE fund_id = %(fund)s
GROUP BY fund_id, (created_at AT TIME ZONE %(tz)s)::date;
"""


def fund_days_rebuild(*, fund_id: int) -> None:
    """Recompute a fund's per-day totals from its ledger (migration, bulk seeding, repair).

    PostgreSQL groups in one statement; other databases go through the ORM.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(REBUILD_SQL, {"fund": fund_id, "tz": settings.TIME_ZONE})
        return
    from .models import LedgerEntry

    totals: dict[date, list[int]] = {}
    for amount, created in LedgerEntry.objects.filter(fund_id=fund_id).values_list(
        "amount_cents", "created_at"
    ):
        day = totals.setdefault(ledger_day(created), [0, 0])
        day[0] += amount
        day[1] += 1
    FundDay.objects.filter(fund_id=fund_id).delete()
    FundDay.objects.bulk_create(
        FundDay(fund_id=fund_id, day=day, net_change_cents=net, entries=n)
        for day, (net, n) in totals.items()
    )
