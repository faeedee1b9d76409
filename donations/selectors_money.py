"""Reads of the money ledger: the sweep, payout eligibility, a host's earnings, Kiron's transfers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from bookings.models import Dispute, Payment, Refund
from events.models import Event

from .models import MoneyAccount, MoneyEntry, MoneyTransfer, PayoutLine, PayoutLineEntry


def _reference_expr(prefix: str):
    return Concat(Value(prefix), Cast(OuterRef("pk"), CharField()), output_field=CharField())


def payments_missing_transfer(*, limit: int | None = None) -> list[int]:
    """Ids of succeeded paid payments that have no payment transfer on the money ledger."""
    has = MoneyTransfer.objects.filter(
        kind=MoneyTransfer.Kind.PAYMENT, reference=_reference_expr("payment:")
    )
    ids = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, amount_cents__gt=0)
        .exclude(Exists(has))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit else ids)


def refunds_missing_transfer(*, limit: int | None = None) -> list[int]:
    """Ids of refunds that have no refund transfer on the money ledger."""
    has = MoneyTransfer.objects.filter(
        kind=MoneyTransfer.Kind.REFUND, reference=_reference_expr("refund:")
    )
    ids = Refund.objects.exclude(Exists(has)).order_by("pk").values_list("pk", flat=True)
    return list(ids[:limit] if limit else ids)


# ---------------------------------------------------------------- payout eligibility

PAYABLE_KINDS = (MoneyTransfer.Kind.PAYMENT, MoneyTransfer.Kind.REFUND)


def payable_cutoff(*, now: datetime | None = None) -> datetime:
    """Events that ended at or before this moment are past the refund window."""
    return (now or timezone.now()) - timedelta(days=settings.HOST_PAYOUT_DELAY_DAYS)


def _live_binding():
    return PayoutLineEntry.objects.filter(entry=OuterRef("pk"), released=False)


def _open_dispute():
    return Dispute.objects.filter(payment__booking=OuterRef("booking"), status=Dispute.Status.OPEN)


def entries_unpaid(*, account: MoneyAccount) -> QuerySet[MoneyEntry]:
    """The account's booking entries (shares and their refunds) no payout line has taken yet."""
    return MoneyEntry.objects.filter(
        account=account, transfer__kind__in=PAYABLE_KINDS, booking__isnull=False
    ).exclude(Exists(_live_binding()))


def payable_filter(*, now: datetime | None = None) -> Q:
    """Entries whose booking can be paid out now: its event completed and ended at least
    ``HOST_PAYOUT_DELAY_DAYS`` ago, and no open dispute on its payment (an open dispute freezes
    the booking's shares)."""
    return Q(
        booking__event__status=Event.Status.COMPLETED,
        booking__event__ends_at__lte=payable_cutoff(now=now),
    ) & ~Q(Exists(_open_dispute()))


def entries_payable(*, account: MoneyAccount, now: datetime | None = None) -> QuerySet[MoneyEntry]:
    return entries_unpaid(account=account).filter(payable_filter(now=now))


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum("amount_cents"))["total"] or 0


# ---------------------------------------------------------------- a host's earnings


@dataclass
class EventEarnings:
    event: Event
    earned_cents: int = 0  # host share net of refunds
    pending_cents: int = 0
    payable_cents: int = 0
    paid_cents: int = 0  # in a payout line that was not returned
    deduction_cents: int = 0  # refunds after payout, still to recover (≤ 0)
    frozen: bool = False


@dataclass
class Earnings:
    balance_cents: int = 0
    pending_cents: int = 0
    payable_cents: int = 0
    paid_cents: int = 0
    deduction_cents: int = 0
    events: list[EventEarnings] = field(default_factory=list)
    payouts: list[PayoutLine] = field(default_factory=list)


def host_earnings(*, host, now: datetime | None = None) -> Earnings:
    """Everything the Earnings page shows for ``host``; a fixed number of queries.

    Per event and in total: pending (event not over, still in the refund window, or frozen by
    a dispute), payable, paid out (lines not returned), and deductions (refunds recorded after
    the booking's share was paid out, recovered first by the next payout).
    """
    earnings = Earnings()
    account = MoneyAccount.objects.filter(host=host).first()
    if account is None:
        return earnings
    earnings.balance_cents = account.balance_cents
    now = now or timezone.now()
    cutoff = payable_cutoff(now=now)
    entries = (
        MoneyEntry.objects.filter(account=account, booking__isnull=False)
        .select_related("booking__event__city", "transfer")
        .annotate(
            bound=Exists(_live_binding()),
            disputed=Exists(_open_dispute()),
        )
        .order_by("pk")
    )
    by_event: dict[int, EventEarnings] = {}
    paid_bookings = set(
        PayoutLineEntry.objects.filter(
            released=False, entry__account=account, entry__amount_cents__gt=0
        ).values_list("entry__booking_id", flat=True)
    )
    for entry in entries:
        event = entry.booking.event
        row = by_event.setdefault(event.pk, EventEarnings(event=event))
        row.earned_cents += entry.amount_cents
        if entry.bound:
            row.paid_cents += entry.amount_cents
            continue
        ready = (
            event.status == Event.Status.COMPLETED
            and event.ends_at <= cutoff
            and not entry.disputed
        )
        row.frozen = row.frozen or entry.disputed
        if not ready:
            row.pending_cents += entry.amount_cents
        elif entry.amount_cents < 0 and entry.booking_id in paid_bookings:
            row.deduction_cents += entry.amount_cents
        else:
            row.payable_cents += entry.amount_cents
    earnings.events = sorted(by_event.values(), key=lambda r: r.event.starts_at, reverse=True)
    for row in earnings.events:
        earnings.pending_cents += row.pending_cents
        earnings.payable_cents += row.payable_cents
        earnings.paid_cents += row.paid_cents
        earnings.deduction_cents += row.deduction_cents
    earnings.payouts = list(
        PayoutLine.objects.filter(account=account).select_related("batch").order_by("-pk")
    )
    return earnings


def kiron_transfers() -> list[PayoutLine]:
    """Payout lines to Kiron, newest first (what the fund pages show as transferred)."""
    return list(
        PayoutLine.objects.filter(account__kind=MoneyAccount.Kind.KIRON)
        .select_related("batch")
        .order_by("-pk")
    )


def kiron_summary() -> dict[str, int]:
    """Transferred to Kiron (lines not returned) and still held for Kiron (its balance)."""
    account = MoneyAccount.objects.filter(kind=MoneyAccount.Kind.KIRON).first()
    transferred = _sum(
        PayoutLine.objects.filter(account__kind=MoneyAccount.Kind.KIRON).exclude(
            status=PayoutLine.Status.RETURNED
        )
    )
    return {"transferred_cents": transferred, "held_cents": account.balance_cents if account else 0}
