"""Every write to the Cook4Chance fund: pledges, refund reversals, tranches, laptops bought.

All money changes happen under the fund row's lock (``select_for_update``), so the totals on
``Fund``, the ledger and the tranche rows move together in one transaction, and two workers
that route pledges at the same moment are serialised. The unique constraints on
``LedgerEntry(fund, kind, reference)`` and ``Tranche(fund, number)`` back the locks up.
"""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Payment, Refund
from events.templatetags.money import format_cents
from meetsies.mail import email_build

from .bootstrap import (
    COOK4CHANCE_NAME,
    COOK4CHANCE_SLUG,
    COOK4CHANCE_TRANCHE_CENTS,
    KIRON_STAFF_GROUP,
)
from .fund_days import fund_day_add
from .models import Disbursement, Fund, LedgerEntry, Tranche

logger = logging.getLogger(__name__)


def pledge_reference(payment_id: int) -> str:
    return f"payment:{payment_id}"


def reversal_reference(refund_id: int) -> str:
    return f"refund:{refund_id}"


def reversal_target_cents(*, pledge_cents: int, paid_cents: int, refunded_cents: int) -> int:
    """How much of a booking's pledge is reversed once ``refunded_cents`` of it were refunded.

    Proportional, in whole cents, rounded down; a full refund reverses the whole pledge, and
    the result never exceeds the pledge. Pure function, shared with reconciliation.
    """
    if pledge_cents <= 0 or refunded_cents <= 0 or paid_cents <= 0:
        return 0
    if refunded_cents >= paid_cents:
        return pledge_cents
    return min(pledge_cents * refunded_cents // paid_cents, pledge_cents)


def _fund_lock() -> Fund:
    """Lock the Cook4Chance fund row until the end of the transaction (creating it if absent).

    Call inside ``transaction.atomic``.
    """
    fund, _created = Fund.objects.select_for_update().get_or_create(
        slug=COOK4CHANCE_SLUG,
        defaults={"name": COOK4CHANCE_NAME, "tranche_cents": COOK4CHANCE_TRANCHE_CENTS},
    )
    return fund


def _entry_write(
    *, fund: Fund, kind: str, amount_cents: int, reference: str, booking_id: int | None
) -> LedgerEntry:
    """Append one entry and move the fund's totals by it. Call holding the fund row lock."""
    net_after = fund.net_cents + amount_cents
    entry = LedgerEntry.objects.create(
        fund=fund,
        kind=kind,
        amount_cents=amount_cents,
        reference=reference,
        booking_id=booking_id,
        net_after_cents=net_after,
    )
    fund_day_add(fund=fund, amount_cents=amount_cents, at=entry.created_at)
    if kind == LedgerEntry.Kind.PLEDGE:
        Fund.objects.filter(pk=fund.pk).update(pledged_cents=F("pledged_cents") + amount_cents)
        fund.pledged_cents += amount_cents
    else:
        Fund.objects.filter(pk=fund.pk).update(reversed_cents=F("reversed_cents") - amount_cents)
        fund.reversed_cents -= amount_cents
    return entry


def _tranches_ensure(*, fund: Fund) -> list[Tranche]:
    """Create the tranche rows up to the fund's current net, once each; return the new ones.

    Tranches are never deleted when refunds take the net back below a boundary; crossing it
    again finds the existing row. After commit, Kiron staff are told about each new tranche.
    Call holding the fund row lock.
    """
    complete = fund.complete_tranches
    if complete == 0:
        return []
    existing = set(
        Tranche.objects.filter(fund=fund, number__lte=complete).values_list("number", flat=True)
    )
    created = []
    for number in range(1, complete + 1):
        if number in existing:
            continue
        tranche, was_created = Tranche.objects.get_or_create(fund=fund, number=number)
        if was_created:
            created.append(tranche)
    if created:
        from meetsies.enqueue import enqueue

        from .tasks import tranche_notify

        for tranche in created:
            transaction.on_commit(lambda tranche_id=tranche.pk: enqueue(tranche_notify, tranche_id))
    return created


def _pledge_write(*, fund: Fund, payment: Payment) -> LedgerEntry | None:
    """Write a payment's pledge entry unless it exists. Call holding the fund row lock."""
    pledge = payment.booking.pledge_cents
    if pledge <= 0:
        return None
    reference = pledge_reference(payment.pk)
    existing = LedgerEntry.objects.filter(
        fund=fund, kind=LedgerEntry.Kind.PLEDGE, reference=reference
    ).first()
    if existing is not None:
        return existing
    entry = _entry_write(
        fund=fund,
        kind=LedgerEntry.Kind.PLEDGE,
        amount_cents=pledge,
        reference=reference,
        booking_id=payment.booking_id,
    )
    _tranches_ensure(fund=fund)
    return entry


@transaction.atomic
def pledge_record(*, payment_id: int) -> LedgerEntry | None:
    """Record the frozen pledge of a succeeded payment in the fund's ledger, exactly once.

    Idempotent: a second call (retry, sweep, duplicate signal, concurrent worker) returns the
    existing entry and changes nothing. Payments that have not succeeded and zero pledges write
    nothing and return ``None``. Takes the fund row lock until commit; sends no email itself
    (tranche notices are enqueued after commit).
    """
    payment = Payment.objects.select_related("booking").get(pk=payment_id)
    if payment.status != Payment.Status.SUCCEEDED or payment.booking.pledge_cents <= 0:
        return None
    fund = _fund_lock()
    return _pledge_write(fund=fund, payment=payment)


@transaction.atomic
def reversal_record(*, refund_id: int) -> LedgerEntry | None:
    """Record the reversal of the pledged share of a refund, exactly once.

    The booking's cumulative reversal follows ``reversal_target_cents`` over all its refunds
    up to and including this one (ordered by id): proportional to the refunded amount in whole
    cents, the exact remainder on a full refund, never more than the pledge. If the payment's
    pledge entry is missing (its task has not run yet) it is written first, so the ledger never
    reverses what it has not counted. Returns ``None`` when nothing is to be reversed (no
    pledge, or a refund too small to move a whole cent). Idempotent; takes the fund row lock.
    """
    refund = Refund.objects.select_related("payment__booking").get(pk=refund_id)
    payment = refund.payment
    booking = payment.booking
    if booking.pledge_cents <= 0:
        return None
    fund = _fund_lock()
    reference = reversal_reference(refund.pk)
    existing = LedgerEntry.objects.filter(
        fund=fund, kind=LedgerEntry.Kind.REVERSAL, reference=reference
    ).first()
    if existing is not None:
        return existing
    if _pledge_write(fund=fund, payment=payment) is None:
        return None
    refunded_so_far = (
        Refund.objects.filter(payment=payment, pk__lte=refund.pk).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    target = reversal_target_cents(
        pledge_cents=booking.pledge_cents,
        paid_cents=payment.amount_cents,
        refunded_cents=refunded_so_far,
    )
    already = -(
        LedgerEntry.objects.filter(
            fund=fund, booking=booking, kind=LedgerEntry.Kind.REVERSAL
        ).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    amount = min(target, booking.pledge_cents) - already
    if amount <= 0:
        return None
    return _entry_write(
        fund=fund,
        kind=LedgerEntry.Kind.REVERSAL,
        amount_cents=-amount,
        reference=reference,
        booking_id=booking.pk,
    )


def laptops_available(*, fund: Fund) -> int:
    """Complete tranches not yet spent on a laptop; negative after refunds took net down."""
    return fund.complete_tranches - fund.disbursements.count()


def disbursement_input_check(
    *, bought_on: date | None, amount_cents: int | None, student_reference: str
) -> None:
    """Raise ``ValidationError`` (all problems at once, each with a code) for bad laptop input."""
    errors = []
    if bought_on is None:
        errors.append(
            ValidationError(_("Enter the date the laptop was bought."), code="date_required")
        )
    elif bought_on > timezone.localdate():
        errors.append(
            ValidationError(_("The purchase date cannot be in the future."), code="date_future")
        )
    if amount_cents is None or amount_cents <= 0:
        errors.append(
            ValidationError(
                _("The amount must be more than zero cents."), code="amount_not_positive"
            )
        )
    if not (student_reference or "").strip():
        errors.append(
            ValidationError(
                _("Enter the student's pseudonymous reference."), code="reference_required"
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def disbursement_availability_check(*, fund_id: int) -> Fund:
    """Lock the fund and raise ``no_tranche_available`` unless a laptop can be bought.

    Used by the admin form's ``clean()``: Django admin runs validation and saving in one
    transaction, so the lock taken here is still held when ``disbursement_record`` runs.
    """
    fund = Fund.objects.select_for_update().get(pk=fund_id)
    available = laptops_available(fund=fund)
    if available <= 0:
        raise ValidationError(
            _(
                "No complete tranche is available: %(complete)s complete, %(bought)s "
                "laptops already recorded. Wait until the fund reaches the next €400."
            ),
            code="no_tranche_available",
            params={
                "complete": fund.complete_tranches,
                "bought": fund.complete_tranches - available,
            },
        )
    return fund


@transaction.atomic
def disbursement_record(
    *,
    fund: Fund,
    bought_on: date | None,
    student_reference: str,
    note: str = "",
    user=None,
    amount_cents: int | None = None,
) -> Disbursement:
    """Record a laptop bought with a complete tranche of ``fund``.

    Rejected (``ValidationError``) with code ``no_tranche_available`` when complete tranches
    (net // tranche) minus laptops already recorded is zero or less, also after refunds took
    the net below a boundary; ``date_required``/``date_future``, ``amount_not_positive`` and
    ``reference_required`` for bad input. Takes the fund row lock, so two staff recording the
    last available laptop at once get one success and one error. ``amount_cents`` defaults to
    the fund's tranche.
    """
    if amount_cents is None:
        amount_cents = fund.tranche_cents
    disbursement_input_check(
        bought_on=bought_on, amount_cents=amount_cents, student_reference=student_reference
    )
    locked = disbursement_availability_check(fund_id=fund.pk)
    return Disbursement.objects.create(
        fund=locked,
        bought_on=bought_on,
        amount_cents=amount_cents,
        student_reference=student_reference.strip(),
        note=note.strip(),
        recorded_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def disbursement_change(
    *,
    disbursement: Disbursement,
    bought_on: date | None,
    student_reference: str,
    note: str = "",
    amount_cents: int | None,
) -> Disbursement:
    """Correct the date, reference, note or amount of a recorded laptop.

    The number of laptops does not change, so availability is not checked again (a laptop
    already bought stays recorded even if refunds later lowered the net); the input rules of
    ``disbursement_record`` apply. The fund cannot be changed.
    """
    disbursement_input_check(
        bought_on=bought_on, amount_cents=amount_cents, student_reference=student_reference
    )
    Fund.objects.select_for_update().get(pk=disbursement.fund_id)
    disbursement.bought_on = bought_on
    disbursement.amount_cents = amount_cents
    disbursement.student_reference = student_reference.strip()
    disbursement.note = note.strip()
    disbursement.save(update_fields=["bought_on", "amount_cents", "student_reference", "note"])
    return disbursement


def kiron_staff_recipients() -> list[str]:
    """Addresses for fund notices: ``settings.KIRON_STAFF_EMAILS`` and the group's members."""
    User = get_user_model()
    members = User.objects.filter(groups__name=KIRON_STAFF_GROUP, is_active=True).values_list(
        "email", flat=True
    )
    seen: dict[str, None] = {}
    for address in [*settings.KIRON_STAFF_EMAILS, *members]:
        if address:
            seen.setdefault(address.lower(), None)
    return list(seen)


def tranche_staff_notify(*, tranche_id: int) -> bool:
    """Email Kiron staff "Tranche #N complete", at most once per tranche. Returns True if sent.

    Runs outside any transaction (it talks to the mail server): it claims the tranche with a
    conditional update of ``staff_notified_at`` and releases the claim if sending fails, so a
    retry sends it then. Two concurrent calls send one email.
    """
    claimed = Tranche.objects.filter(pk=tranche_id, staff_notified_at__isnull=True).update(
        staff_notified_at=timezone.now()
    )
    if not claimed:
        return False
    tranche = Tranche.objects.select_related("fund").get(pk=tranche_id)
    try:
        email_build(
            to=kiron_staff_recipients(),
            subject=_("Tranche #%(number)s complete: one more laptop can be bought")
            % {"number": tranche.number},
            template="emails/donations/tranche_complete",
            context={
                "fund": tranche.fund.name,
                "number": tranche.number,
                "total": format_cents(tranche.number * tranche.fund.tranche_cents),
                "url": settings.SITE_URL + reverse("admin:donations_disbursement_add"),
            },
        ).send()
    except Exception:
        Tranche.objects.filter(pk=tranche_id).update(staff_notified_at=None)
        raise
    return True
