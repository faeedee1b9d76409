from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking

LAPTOP_TRANCHE_CENTS = 400_00


class Fund(models.Model):
    """A fund pledges go to. Totals are kept beside the ledger, in the same transaction.

    ``pledged_cents`` and ``reversed_cents`` always equal the sums of the ledger's pledge and
    reversal entries; only ``donations.services`` writes them, under this row's lock.
    """

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    beneficiary = models.CharField(_("beneficiary"), max_length=120, default="Kiron")
    tranche_cents = models.PositiveIntegerField(_("tranche (cents)"), default=LAPTOP_TRANCHE_CENTS)
    pledged_cents = models.BigIntegerField(_("pledged (cents)"), default=0, editable=False)
    reversed_cents = models.BigIntegerField(_("reversed (cents)"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.CheckConstraint(condition=Q(tranche_cents__gt=0), name="fund_tranche_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("donations:impact")

    @property
    def net_cents(self) -> int:
        return self.pledged_cents - self.reversed_cents

    @property
    def complete_tranches(self) -> int:
        return max(self.net_cents, 0) // self.tranche_cents

    @property
    def cents_to_next_tranche(self) -> int:
        return self.tranche_cents - max(self.net_cents, 0) % self.tranche_cents

    @property
    def progress_percent(self) -> int:
        """Progress towards the next tranche, 0–99."""
        return max(self.net_cents, 0) % self.tranche_cents * 100 // self.tranche_cents


class LedgerIsAppendOnly(ValidationError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused: both ledgers are append-only."""

    def update(self, **kwargs):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be changed."))

    def delete(self):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be deleted."))


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted (ORM side; Postgres has a trigger).

    The fund ledger and the money ledger's transfers and entries are such rows.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerIsAppendOnly(_("Ledger entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be deleted."))


class LedgerEntry(AppendOnlyModel):
    """One signed movement of a fund: a pledge (+) or the reversal of a refunded pledge (−).

    Append-only. ``(fund, kind, reference)`` is unique, so each payment is pledged once and
    each refund reversed once, whoever tries how often.
    """

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("Pledge")
        REVERSAL = "reversal", _("Refund reversal")

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    reference = models.CharField(_("reference"), max_length=100)
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        null=True,
        blank=True,
    )
    net_after_cents = models.BigIntegerField(_("fund net after this entry (cents)"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "kind", "reference"], name="ledger_unique_reference_per_kind"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="pledge", amount_cents__gt=0) | Q(kind="reversal", amount_cents__lt=0)
                ),
                name="ledger_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_cents} ({self.reference})"


class Tranche(models.Model):
    """A complete €400 of a fund's net total: one laptop can be bought. Created exactly once."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="tranches"
    )
    number = models.PositiveIntegerField(_("number"))
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["fund", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="tranche_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="tranche_number_positive"),
        ]

    def __str__(self) -> str:
        return _("Laptop tranche #%(number)s") % {"number": self.number}


class Disbursement(models.Model):
    """A laptop bought for a student with the money of a complete tranche."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="disbursements"
    )
    bought_on = models.DateField(_("bought on"))
    amount_cents = models.PositiveIntegerField(_("amount (cents)"), default=LAPTOP_TRANCHE_CENTS)
    student_reference = models.CharField(
        _("student reference"),
        max_length=40,
        help_text=_("A pseudonymous reference, never a name."),
    )
    note = models.CharField(_("public note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement (laptop bought)")
        verbose_name_plural = _("disbursements (laptops bought)")
        ordering = ["-bought_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="disbursement_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bought_on} · {self.student_reference}"


class FundDay(models.Model):
    """A fund's ledger summed per day (the site's time zone), kept as the ledger is written.

    Written in the same transaction as each ledger entry, under the fund row's lock
    (``donations.fund_days.fund_day_add``), so the impact chart reads a few hundred rows instead
    of grouping the whole ledger on every request. Reconciliation can rebuild it from the
    ledger (``fund_days_rebuild``); it must always equal the ledger grouped by day.
    """

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="days"
    )
    day = models.DateField(_("day"))
    net_change_cents = models.BigIntegerField(_("net change (cents)"), default=0)
    entries = models.PositiveIntegerField(_("ledger entries"), default=0)

    class Meta:
        verbose_name = _("fund day")
        verbose_name_plural = _("fund days")
        ordering = ["fund", "day"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "day"], name="fundday_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.day}: {self.net_change_cents}"


# ================================================================ the money ledger
#
# Beside the fund ledger above (which counts pledges and reversals for tranches and laptops),
# a double-entry ledger of every cent the platform holds and owes. See docs/MONEY.md.


class MoneyAccount(models.Model):
    """One balance of the money ledger: money held, each host, Kiron, the platform.

    ``balance_cents`` is the stored total: it always equals the sum of the account's entries
    and only ``donations.services_ledger`` moves it, under this row's lock. Credits are
    positive (what the platform owes the host or Kiron, what the platform earned); the money
    the platform holds at Stripe and in its bank carries the opposite sign, so all balances
    together sum to zero.
    """

    class Kind(models.TextChoices):
        HELD = "held", _("Money held (Stripe and bank)")
        HOST = "host", _("Payable to a host")
        KIRON = "kiron", _("Payable to Kiron")
        PLATFORM = "platform", _("Platform fees")

    key = models.CharField(_("key"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    host = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="money_account",
        null=True,
        blank=True,
    )
    balance_cents = models.BigIntegerField(_("balance (cents)"), default=0, editable=False)

    class Meta:
        verbose_name = _("money account")
        verbose_name_plural = _("money accounts")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="host", host__isnull=False) | (~Q(kind="host") & Q(host=None))),
                name="money_account_host_iff_host_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.HOST:
            return _("Host %(host)s") % {"host": self.host}
        return str(self.get_kind_display())


class MoneyTransfer(AppendOnlyModel):
    """One movement of money: balanced entries written together. Unique per kind and reference."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Guest payment")
        REFUND = "refund", _("Refund")
        PAYOUT = "payout", _("Payout")
        PAYOUT_RETURN = "payout_return", _("Returned payout")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=100)
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="money_transfers",
        null=True,
        blank=True,
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("money transfer")
        verbose_name_plural = _("money transfers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reference"], name="money_transfer_unique_reference_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class MoneyEntry(AppendOnlyModel):
    """One signed line of a transfer on one account; a transfer's entries sum to zero."""

    transfer = models.ForeignKey(
        MoneyTransfer, verbose_name=_("transfer"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        MoneyAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    # Copied from the transfer so payout eligibility is one join away.
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        related_name="money_entries",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("money entry")
        verbose_name_plural = _("money entries")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_cents=0), name="money_entry_amount_not_zero"
            ),
            models.UniqueConstraint(
                fields=["transfer", "account"], name="money_entry_one_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_cents}"


# ================================================================ payouts


class PayoutDetails(models.Model):
    """Where a host wants their share sent: account holder and IBAN (SEPA)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="payout_details",
    )
    holder_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout details")
        verbose_name_plural = _("payout details")

    def __str__(self) -> str:
        return f"{self.holder_name} · {self.iban_masked}"

    @property
    def iban_masked(self) -> str:
        return mask_iban(self.iban)


def mask_iban(iban: str) -> str:
    """ "BE68 **** **** 0470": the country, check digits and last four digits only."""
    compact = (iban or "").replace(" ", "")
    if len(compact) < 8:
        return "****"
    return f"{compact[:4]} **** **** {compact[-4:]}"


class PayoutBatch(models.Model):
    """A SEPA credit-transfer file for the bank: one line per beneficiary.

    created → executed (the bank carried it out). Lines are written with the batch and never
    change afterwards, except that one can be marked returned.
    """

    class Status(models.TextChoices):
        CREATED = "created", _("Created, file ready for the bank")
        EXECUTED = "executed", _("Executed by the bank")

    reference = models.CharField(_("reference"), max_length=35, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    execution_date = models.DateField(_("requested execution date"))
    total_cents = models.BigIntegerField(_("total (cents)"))
    sepa_xml = models.TextField(_("pain.001 file"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked executed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_payouts", _("Can create payout batches and mark them"))]

    def __str__(self) -> str:
        return self.reference


class PayoutLine(models.Model):
    """What one beneficiary (a host, or Kiron) receives in a batch, with the account it goes to."""

    class Status(models.TextChoices):
        SENT = "sent", _("In the file")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned or failed")

    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="lines"
    )
    account = models.ForeignKey(
        MoneyAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    holder_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    end_to_end_id = models.CharField(_("end-to-end reference"), max_length=35, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    returned_reason = models.CharField(_("reason returned"), max_length=200, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "account"], name="payout_line_one_per_account"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="payout_line_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.end_to_end_id} · {self.amount_cents}"

    @property
    def iban_masked(self) -> str:
        return mask_iban(self.iban)


class PayoutLineEntry(models.Model):
    """Binds a ledger entry (a booking's host share or Kiron share, or a refund of it) to the
    payout line that pays it. At most one binding per entry is live: the database refuses a
    second, so no cent is paid twice. A returned line releases its bindings."""

    line = models.ForeignKey(
        PayoutLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="bindings"
    )
    entry = models.ForeignKey(
        MoneyEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="bindings"
    )
    released = models.BooleanField(_("released"), default=False)

    class Meta:
        verbose_name = _("payout line entry")
        verbose_name_plural = _("payout line entries")
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(released=False),
                name="payout_entry_paid_at_most_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} ← {self.entry_id}"
