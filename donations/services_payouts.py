"""Writes of payouts: hosts' payout details, payout batches (pain.001), executed and returned lines.

A batch binds every payable ledger entry of a beneficiary to that beneficiary's line
(``PayoutLineEntry``; the database allows one live binding per entry) and writes the line's
payout transfer (beneficiary −X, money held +X) in the same transaction, under the
beneficiaries' account row locks. Two batches started at once therefore queue on the locks, and
the second finds nothing left to pay; should a lock ever be missing, the unique binding refuses
the second payment of the same entry.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaTransfer

from audit.services import Actor, status_changes_record, transition_check
from events.templatetags.money import format_cents

from . import selectors_money
from .models import (
    MoneyAccount,
    MoneyTransfer,
    PayoutBatch,
    PayoutDetails,
    PayoutLine,
    PayoutLineEntry,
)
from .services_ledger import HELD, KIRON, accounts_lock, host_key, transfer_write

logger = logging.getLogger(__name__)

User = get_user_model()


# ---------------------------------------------------------------- payout details


def holder_name_clean(value: str) -> str:
    """The account holder's name, trimmed; ``ValidationError`` for empty, too long or control
    characters (a bank file must not carry them)."""
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError(_("Enter the account holder's name."), code="holder_required")
    if any(unicodedata.category(ch).startswith("C") for ch in value.strip()):
        raise ValidationError(
            _("The account holder's name contains characters a bank cannot accept."),
            code="holder_control_characters",
        )
    if len(name) > 70:
        raise ValidationError(
            _("The account holder's name can have at most 70 characters."), code="holder_too_long"
        )
    return name


def iban_clean(value: str) -> IBAN:
    """A valid IBAN (``schwifty``) or ``ValidationError`` (``iban_invalid``)."""
    try:
        return IBAN(value or "")
    except (SchwiftyException, ValueError):
        raise ValidationError(
            _("This is not a valid IBAN. Check the number on your bank card or statement."),
            code="iban_invalid",
        ) from None


@transaction.atomic
def payout_details_save(*, user: User, holder_name: str, iban: str, password: str) -> PayoutDetails:
    """Add or change where ``user``'s earnings are sent. Needs the account password again.

    Raises ``ValidationError`` (``password_wrong``, ``holder_*``, ``iban_invalid``; all found at
    once, as a dict by field) and saves nothing then. The BIC is derived from the IBAN where
    the bank registry knows it. Future batches use the new details; lines already in a batch
    keep the account they were sent to.
    """
    errors: dict[str, ValidationError] = {}
    if not password or not user.check_password(password):
        errors["password"] = ValidationError(
            _("That is not your password. Enter it to confirm the change."),
            code="password_wrong",
        )
    try:
        name = holder_name_clean(holder_name)
    except ValidationError as error:
        errors["holder_name"] = error
    try:
        parsed = iban_clean(iban)
    except ValidationError as error:
        errors["iban"] = error
    if errors:
        raise ValidationError(errors)
    bic = parsed.bic
    details, _created = PayoutDetails.objects.select_for_update().update_or_create(
        user=user,
        defaults={
            "holder_name": name,
            "iban": parsed.compact,
            "bic": str(bic.compact) if bic else "",
        },
    )
    return details


# ---------------------------------------------------------------- batches

BATCH_TRANSITIONS = {PayoutBatch.Status.CREATED: {PayoutBatch.Status.EXECUTED}}
LINE_TRANSITIONS = {
    PayoutLine.Status.SENT: {PayoutLine.Status.PAID, PayoutLine.Status.RETURNED},
    PayoutLine.Status.PAID: {PayoutLine.Status.RETURNED},
    PayoutLine.Status.RETURNED: set(),
}


def _actor(user) -> Actor:
    return Actor.person(user) if user is not None and user.is_authenticated else Actor.system()


def _lock_beneficiaries(*, keys: list[str]) -> dict[str, MoneyAccount]:
    """Lock the beneficiaries' accounts (and money held, which every batch touches) until commit.

    The concurrency test replaces this with unlocked reads to prove the lock matters.
    """
    return accounts_lock(keys=[*keys, HELD])


def _beneficiary_candidates() -> list[str]:
    """Keys of Kiron and of hosts with valid payout details and a positive balance."""
    keys = []
    if MoneyAccount.objects.filter(key=KIRON, balance_cents__gt=0).exists():
        keys.append(KIRON)
    host_ids = MoneyAccount.objects.filter(
        kind=MoneyAccount.Kind.HOST, balance_cents__gt=0, host__payout_details__isnull=False
    ).values_list("host_id", flat=True)
    keys.extend(host_key(host_id) for host_id in host_ids)
    return keys


def _payee(account: MoneyAccount) -> tuple[str, str, str] | None:
    """(holder name, IBAN, BIC) for an account, or None when its details are not valid."""
    if account.kind == MoneyAccount.Kind.KIRON:
        name, iban, bic = (
            settings.KIRON_PAYOUT_NAME,
            settings.KIRON_PAYOUT_IBAN,
            settings.KIRON_PAYOUT_BIC,
        )
    else:
        details = PayoutDetails.objects.filter(user_id=account.host_id).first()
        if details is None:
            return None
        name, iban, bic = details.holder_name, details.iban, details.bic
    try:
        holder_name_clean(name)
        compact = iban_clean(iban).compact
    except ValidationError:
        logger.warning("Payout details of %s are not valid; skipped", account.key)
        return None
    return name, compact, bic


def _batch_reference(today: date) -> str:
    """A readable, unique reference (the date and a random part; 35 characters at most)."""
    return f"MEETSIES-{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


def sepa_file_build(*, batch: PayoutBatch, lines: list[PayoutLine]) -> str:
    """The pain.001.001.03 credit-transfer file of a batch, validated against its schema."""
    config = {
        "name": settings.PAYOUT_DEBTOR_NAME,
        "IBAN": settings.PAYOUT_DEBTOR_IBAN,
        "BIC": settings.PAYOUT_DEBTOR_BIC,
        "batch": True,
        "currency": "EUR",
    }
    sepa = SepaTransfer(config, clean=True)
    for line in lines:
        payment = {
            "name": line.holder_name,
            "IBAN": line.iban,
            "amount": int(line.amount_cents),
            "execution_date": batch.execution_date,
            "description": f"Meetsies {batch.reference} {line.end_to_end_id}",
            "endtoend_id": line.end_to_end_id,
        }
        if line.bic:
            payment["BIC"] = line.bic
        sepa.add_payment(payment)
    return sepa.export(validate=True).decode("utf-8")


def payout_batch_create(*, user: User | None, execution_date: date | None = None) -> PayoutBatch:
    """Gather everything payable into one batch and its pain.001 file.

    One line per beneficiary: each host whose payable balance (entries of bookings whose event
    completed at least ``HOST_PAYOUT_DELAY_DAYS`` ago, not frozen by an open dispute, not yet in
    a live line; refunds after a payout count against it) is at least ``PAYOUT_MINIMUM_CENTS``
    and who has valid payout details, and Kiron for any positive payable balance. Raises
    ``ValidationError`` (``no_eligible_lines``) and saves nothing when there is nothing to pay.
    """
    today = timezone.localdate()
    execution_date = execution_date or today
    with transaction.atomic():
        accounts = _lock_beneficiaries(keys=_beneficiary_candidates())
        batch = PayoutBatch(
            reference=_batch_reference(today),
            execution_date=execution_date,
            total_cents=0,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        planned: list[tuple[MoneyAccount, tuple[str, str, str], list[int], int]] = []
        for key, account in sorted(accounts.items()):
            if key == HELD:
                continue
            payee = _payee(account)
            if payee is None:
                continue
            entries = selectors_money.entries_payable(account=account)
            ids_amounts = list(entries.values_list("pk", "amount_cents"))
            amount = sum(amount for _pk, amount in ids_amounts)
            minimum = 1 if key == KIRON else settings.PAYOUT_MINIMUM_CENTS
            if amount < minimum or amount <= 0:
                continue
            planned.append((account, payee, [pk for pk, _ in ids_amounts], amount))
        if not planned:
            raise ValidationError(
                _(
                    "Nothing to pay out: no host has at least %(minimum)s payable with valid "
                    "payout details, and nothing is payable to Kiron."
                ),
                code="no_eligible_lines",
                params={"minimum": format_cents(settings.PAYOUT_MINIMUM_CENTS)},
            )
        batch.total_cents = sum(amount for *_rest, amount in planned)
        batch.save()
        lines = []
        for index, (account, (name, iban, bic), entry_ids, amount) in enumerate(planned, 1):
            line = PayoutLine.objects.create(
                batch=batch,
                account=account,
                holder_name=name,
                iban=iban,
                bic=bic,
                amount_cents=amount,
                end_to_end_id=f"{batch.reference}-{index:03d}",
            )
            PayoutLineEntry.objects.bulk_create(
                [PayoutLineEntry(line=line, entry_id=entry_id) for entry_id in entry_ids]
            )
            transfer_write(
                kind=MoneyTransfer.Kind.PAYOUT,
                reference=f"payout-line:{line.pk}",
                legs={account.key: -amount, HELD: amount},
                memo=line.end_to_end_id,
            )
            lines.append(line)
        batch.sepa_xml = sepa_file_build(batch=batch, lines=lines)
        batch.save(update_fields=["sepa_xml"])
        status_changes_record(
            model=PayoutBatch,
            changes=[(batch.pk, "")],
            to_status=batch.status,
            actor=_actor(user),
            reason=f"{len(lines)} lines, {batch.total_cents} cents",
        )
        status_changes_record(
            model=PayoutLine,
            changes=[(line.pk, "") for line in lines],
            to_status=PayoutLine.Status.SENT,
            actor=_actor(user),
            reason=batch.reference,
        )
    return batch


@transaction.atomic
def payout_batch_mark_executed(*, batch_id: int, user: User | None) -> PayoutBatch:
    """The bank carried out the batch: its lines still in the file become paid. Idempotent."""
    batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
    if batch.status == PayoutBatch.Status.EXECUTED:
        return batch
    transition_check(
        allowed=BATCH_TRANSITIONS,
        model="payout batch",
        from_status=batch.status,
        to_status=PayoutBatch.Status.EXECUTED,
    )
    status_changes_record(
        model=PayoutBatch,
        changes=[(batch.pk, batch.status)],
        to_status=PayoutBatch.Status.EXECUTED,
        actor=_actor(user),
        reason="executed by the bank",
    )
    batch.status = PayoutBatch.Status.EXECUTED
    batch.executed_at = timezone.now()
    batch.executed_by = user if user is not None and user.is_authenticated else None
    batch.save(update_fields=["status", "executed_at", "executed_by"])
    sent = list(
        PayoutLine.objects.select_for_update()
        .filter(batch=batch, status=PayoutLine.Status.SENT)
        .values_list("pk", flat=True)
    )
    PayoutLine.objects.filter(pk__in=sent).update(status=PayoutLine.Status.PAID)
    status_changes_record(
        model=PayoutLine,
        changes=[(pk, PayoutLine.Status.SENT) for pk in sent],
        to_status=PayoutLine.Status.PAID,
        actor=_actor(user),
        reason=f"batch {batch.reference} executed",
    )
    return batch


@transaction.atomic
def payout_line_mark_returned(*, line_id: int, reason: str, user: User | None = None) -> PayoutLine:
    """The bank returned one line (or it failed): the money goes back to the beneficiary.

    Writes the returned-payout transfer (beneficiary +X, money held −X) and releases the
    line's bindings, so its entries are payable again in the next batch. Raises
    ``ValidationError`` (``reason_required``, ``already_returned``) and changes nothing then.
    """
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationError(_("Say why the payment came back."), code="reason_required")
    line = PayoutLine.objects.select_for_update().select_related("account").get(pk=line_id)
    if line.status == PayoutLine.Status.RETURNED:
        raise ValidationError(
            _("Line %(reference)s was already marked returned."),
            code="already_returned",
            params={"reference": line.end_to_end_id},
        )
    transition_check(
        allowed=LINE_TRANSITIONS,
        model="payout line",
        from_status=line.status,
        to_status=PayoutLine.Status.RETURNED,
    )
    accounts_lock(keys=[line.account.key, HELD])
    transfer_write(
        kind=MoneyTransfer.Kind.PAYOUT_RETURN,
        reference=f"payout-line:{line.pk}",
        legs={line.account.key: line.amount_cents, HELD: -line.amount_cents},
        memo=f"{line.end_to_end_id}: {reason}",
    )
    PayoutLineEntry.objects.filter(line=line, released=False).update(released=True)
    status_changes_record(
        model=PayoutLine,
        changes=[(line.pk, line.status)],
        to_status=PayoutLine.Status.RETURNED,
        actor=_actor(user),
        reason=reason,
    )
    line.status = PayoutLine.Status.RETURNED
    line.returned_reason = reason
    line.returned_at = timezone.now()
    line.save(update_fields=["status", "returned_reason", "returned_at"])
    return line


def payout_lines_total(*, account: MoneyAccount) -> int:
    """What an account was sent in lines that were not returned."""
    return (
        PayoutLine.objects.filter(account=account)
        .exclude(status=PayoutLine.Status.RETURNED)
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
