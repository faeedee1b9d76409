"""Per-day totals of the fund (FundDay): written with each ledger entry, equal to the ledger
grouped by day, and the only thing the impact chart reads."""

import zoneinfo
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donations import selectors, services
from donations.fund_days import fund_days_rebuild
from donations.models import FundDay, LedgerEntry

from .factories import paid_booking, refund

pytestmark = pytest.mark.django_db


def ledger_grouped_by_day(fund) -> list[tuple]:
    """What the chart used to compute on every request: the whole ledger grouped by day."""
    rows = (
        LedgerEntry.objects.filter(fund=fund)
        .annotate(day=TruncDate("created_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)))
        .values("day")
        .annotate(total=Sum("amount_cents"))
        .order_by("day")
    )
    return [(row["day"], row["total"]) for row in rows]


def test_pledges_and_reversals_move_their_days_total(fund):
    yesterday = timezone.now() - timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=yesterday):
        services.pledge_record(payment_id=paid_booking(seats=2).pk)  # 2 × €25 × 50 % = €25
    payment = paid_booking(seats=4)
    services.pledge_record(payment_id=payment.pk)  # €50 today
    services.reversal_record(refund_id=refund(payment, 5000).pk)  # half refunded: −€25

    days = list(FundDay.objects.filter(fund=fund).values_list("net_change_cents", "entries"))
    assert days == [(2500, 1), (2500, 2)]
    assert [total for _day, total in ledger_grouped_by_day(fund)] == [2500, 2500]
    assert selectors.fund_net_by_day(fund=fund) == [
        (FundDay.objects.earliest("day").day, 2500),
        (FundDay.objects.latest("day").day, 5000),
    ]


def test_a_repeated_pledge_counts_its_day_once(fund):
    payment = paid_booking(seats=2)
    services.pledge_record(payment_id=payment.pk)
    services.pledge_record(payment_id=payment.pk)
    assert FundDay.objects.get(fund=fund).entries == 1


def test_the_day_is_the_site_time_zones_day(fund):
    # 23:30 UTC on 1 June is 01:30 on 2 June in Brussels.
    late = datetime(2026, 6, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with mock.patch("django.utils.timezone.now", return_value=late):
        services.pledge_record(payment_id=paid_booking(seats=2).pk)
    assert FundDay.objects.get(fund=fund).day.isoformat() == "2026-06-02"
    assert ledger_grouped_by_day(fund)[0][0].isoformat() == "2026-06-02"


def test_the_chart_reads_the_day_totals_not_the_ledger(fund):
    for _ in range(3):
        services.pledge_record(payment_id=paid_booking(seats=1).pk)
    with CaptureQueriesContext(connection) as queries:
        series = selectors.fund_net_by_day(fund=fund)
    assert series[-1][1] == fund.__class__.objects.get(pk=fund.pk).net_cents
    assert len(queries) == 1
    assert "donations_ledgerentry" not in queries[0]["sql"]


def test_rebuild_gives_back_what_was_kept_incrementally(fund):
    for seats in (1, 2, 3):
        services.pledge_record(payment_id=paid_booking(seats=seats).pk)
    kept = list(FundDay.objects.filter(fund=fund).values_list("day", "net_change_cents", "entries"))
    FundDay.objects.all().delete()
    fund_days_rebuild(fund_id=fund.pk)
    assert (
        list(FundDay.objects.filter(fund=fund).values_list("day", "net_change_cents", "entries"))
        == kept
    )


def test_reconciliation_names_day_totals_that_drifted(fund):
    services.pledge_record(payment_id=paid_booking(seats=2).pk)
    fund.refresh_from_db()
    assert selectors.fund_reconcile(fund=fund).ok
    FundDay.objects.filter(fund=fund).update(net_change_cents=1)
    report = selectors.fund_reconcile(fund=fund)
    assert any("per-day totals sum to 1" in line for line in report.differences)
