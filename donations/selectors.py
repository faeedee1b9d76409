"""Reads of the Cook4Chance fund: pages, template tags, the sweep and reconciliation.

Page reads run a fixed number of queries whatever the size of the ledger: totals come from
the ``Fund`` row, the chart from one ``GROUP BY day`` query.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat

from bookings.models import Booking, Payment, Refund
from events.cache import public_pages_version

from .bootstrap import COOK4CHANCE_NAME, COOK4CHANCE_SLUG, COOK4CHANCE_TRANCHE_CENTS
from .models import Disbursement, Fund, FundDay, LedgerEntry, Tranche
from .services import reversal_target_cents


def fund_get_cook4chance() -> Fund:
    """The Cook4Chance fund, or an unsaved empty one if the database has none (one query)."""
    fund = Fund.objects.filter(slug=COOK4CHANCE_SLUG).first()
    if fund is None:
        fund = Fund(
            name=COOK4CHANCE_NAME, slug=COOK4CHANCE_SLUG, tranche_cents=COOK4CHANCE_TRANCHE_CENTS
        )
    return fund


def fund_net_by_day(*, fund: Fund) -> list[tuple[date, int]]:
    """The fund's net total at the end of each day with entries, in Brussels time.

    One query on the per-day totals kept beside the ledger (``FundDay``): a row per day,
    whatever the number of entries.
    """
    if fund.pk is None:
        return []
    rows = FundDay.objects.filter(fund=fund).order_by("day").values_list("day", "net_change_cents")
    series, running = [], 0
    for day, total in rows:
        running += total
        series.append((day, running))
    return series


def fund_laptops_bought(*, fund: Fund) -> int:
    if fund.pk is None:
        return 0
    return fund.disbursements.count()


def fund_recent_disbursements(*, fund: Fund, limit: int = 5) -> list[Disbursement]:
    """The latest laptops bought; callers show only the date and the public note."""
    if fund.pk is None:
        return []
    return list(fund.disbursements.only("bought_on", "note").order_by("-bought_on", "-pk")[:limit])


def fund_dinner_stats(*, fund: Fund) -> dict[str, int]:
    """Cook4Chance dinners and guests so far: confirmed bookings whose pledge is in the ledger.

    Scans the pledging bookings (about 0.1 s at 100,000 bookings), so with the page cache on
    (``settings.PUBLIC_PAGE_CACHE``) the figures are kept in the cache under the public pages'
    version, which moves with every booking's seats and every ledger entry: exact, and
    computed once per change instead of once per request.
    """
    if fund.pk is None:
        return {"dinners": 0, "guests": 0}
    if not settings.PUBLIC_PAGE_CACHE:
        return _fund_dinner_stats(fund)
    key = f"fund-dinner-stats:{fund.pk}:{public_pages_version()}"
    stats = cache.get(key)
    if stats is None:
        stats = _fund_dinner_stats(fund)
        cache.set(key, stats, timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
    return stats


def _fund_dinner_stats(fund: Fund) -> dict[str, int]:
    pledged = LedgerEntry.objects.filter(
        booking=OuterRef("pk"), fund=fund, kind=LedgerEntry.Kind.PLEDGE
    )
    stats = Booking.objects.filter(
        Exists(pledged), status=Booking.Status.CONFIRMED, pledge_cents__gt=0
    ).aggregate(dinners=Count("event", distinct=True), guests=Sum("seats"))
    return {"dinners": stats["dinners"] or 0, "guests": stats["guests"] or 0}


def host_pledged_cents(*, host) -> int:
    """Net pledged (pledges minus reversals) by the bookings of a host's events (one query)."""
    total = LedgerEntry.objects.filter(booking__event__host=host).aggregate(
        total=Sum("amount_cents")
    )["total"]
    return total or 0


# ---------------------------------------------------------------- sweep


def payments_missing_pledge(*, limit: int | None = None) -> list[int]:
    """Ids of succeeded payments with a pledge but no pledge entry in the ledger."""
    has_entry = LedgerEntry.objects.filter(
        booking=OuterRef("booking"), kind=LedgerEntry.Kind.PLEDGE
    )
    ids = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, booking__pledge_cents__gt=0)
        .exclude(Exists(has_entry))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit else ids)


def _refund_reference_expr():
    return Concat(Value("refund:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())


def refunds_missing_reversal(*, limit: int | None = None) -> list[int]:
    """Ids of refunds of pledging bookings that have no reversal entry.

    Includes refunds too small to reverse a whole cent; routing them again writes nothing.
    """
    has_entry = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.REVERSAL, reference=_refund_reference_expr()
    )
    ids = (
        Refund.objects.filter(payment__booking__pledge_cents__gt=0)
        .exclude(Exists(has_entry))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit else ids)


def tranches_not_notified() -> list[int]:
    return list(Tranche.objects.filter(staff_notified_at__isnull=True).values_list("pk", flat=True))


# ---------------------------------------------------------------- reconciliation


@dataclass
class Reconciliation:
    """What ``fund_reconcile`` found. ``differences`` mean something is wrong; ``notes`` don't."""

    fund: Fund
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def fund_reconcile(*, fund: Fund) -> Reconciliation:
    """Recompute the fund from its ledger and compare with its totals, tranches and payments."""
    report = Reconciliation(fund=fund)
    diff, note = report.differences.append, report.notes.append
    entries = LedgerEntry.objects.filter(fund=fund)

    sums = entries.aggregate(
        pledged=Sum("amount_cents", filter=Q(kind=LedgerEntry.Kind.PLEDGE)),
        reversed=Sum("amount_cents", filter=Q(kind=LedgerEntry.Kind.REVERSAL)),
        max_net=Max("net_after_cents"),
        count=Count("pk"),
    )
    ledger_pledged = sums["pledged"] or 0
    ledger_reversed = -(sums["reversed"] or 0)
    ledger_net = ledger_pledged - ledger_reversed
    if ledger_pledged != fund.pledged_cents:
        diff(f"pledged total: fund says {fund.pledged_cents}, ledger sums to {ledger_pledged}")
    if ledger_reversed != fund.reversed_cents:
        diff(f"reversed total: fund says {fund.reversed_cents}, ledger sums to {ledger_reversed}")
    by_day = FundDay.objects.filter(fund=fund).aggregate(net=Sum("net_change_cents"))["net"] or 0
    if by_day != ledger_net:
        diff(f"per-day totals sum to {by_day}, ledger sums to {ledger_net}")
    last = entries.order_by("-created_at", "-pk").first()
    if last is not None and last.net_after_cents != ledger_net:
        diff(
            f"latest entry {last.reference} records net {last.net_after_cents}, "
            f"ledger sums to {ledger_net}"
        )

    # Tranches: one row for each boundary the net has ever reached, never deleted.
    reached = max(sums["max_net"] or 0, 0) // fund.tranche_cents
    numbers = set(fund.tranches.values_list("number", flat=True))
    missing = sorted(set(range(1, reached + 1)) - numbers)
    extra = sorted(n for n in numbers if n > reached)
    if missing:
        diff(f"tranches missing: {missing} (the net has reached {reached} × tranche)")
    if extra:
        diff(f"tranches without a net that ever reached them: {extra}")
    complete_now = max(ledger_net, 0) // fund.tranche_cents
    if len(numbers) > complete_now:
        note(
            f"{len(numbers)} tranche rows, {complete_now} complete at today's net: refunds took "
            "the net below a boundary (tranche rows are kept)"
        )
    bought = fund.disbursements.count()
    if bought > complete_now:
        note(f"{bought} laptops recorded but only {complete_now} complete tranches today")

    # Payments: every succeeded pledging payment pledged once, for its frozen amount.
    for payment_id in payments_missing_pledge():
        diff(f"payment {payment_id} succeeded with a pledge but has no pledge entry")
    wrong = entries.filter(kind=LedgerEntry.Kind.PLEDGE).exclude(
        amount_cents=F("booking__pledge_cents")
    )
    for reference, amount, pledge in wrong.values_list(
        "reference", "amount_cents", "booking__pledge_cents"
    ):
        diff(f"{reference}: pledge entry {amount} differs from the booking's pledge {pledge}")
    not_succeeded = entries.filter(kind=LedgerEntry.Kind.PLEDGE).exclude(
        booking__payment__status=Payment.Status.SUCCEEDED
    )
    for reference in not_succeeded.values_list("reference", flat=True):
        diff(f"{reference}: pledge entry for a payment that has not succeeded")

    # Refunds: each booking's reversals equal the proportional share of what was refunded.
    reversed_by_booking = dict(
        entries.filter(kind=LedgerEntry.Kind.REVERSAL)
        .values("booking")
        .annotate(total=Sum("amount_cents"))
        .values_list("booking", "total")
    )
    refunded = (
        Payment.objects.filter(booking__pledge_cents__gt=0, refunds__isnull=False)
        .values("pk", "booking", "amount_cents", "booking__pledge_cents")
        .annotate(refunded=Sum("refunds__amount_cents"))
    )
    seen_bookings = set()
    for row in refunded:
        seen_bookings.add(row["booking"])
        expected = reversal_target_cents(
            pledge_cents=row["booking__pledge_cents"],
            paid_cents=row["amount_cents"],
            refunded_cents=row["refunded"],
        )
        actual = -(reversed_by_booking.get(row["booking"]) or 0)
        if actual != expected:
            diff(
                f"payment {row['pk']}: refunds of {row['refunded']} should reverse {expected} "
                f"of the pledge, ledger reverses {actual}"
            )
    for booking_id, total in reversed_by_booking.items():
        if booking_id not in seen_bookings:
            diff(f"booking {booking_id}: reversal entries of {-total} without any refund")
    return report
