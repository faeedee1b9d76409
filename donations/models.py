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


class LedgerEntryQuerySet(models.QuerySet):
    """The ledger is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be changed."))

    def delete(self):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be deleted."))


class LedgerIsAppendOnly(ValidationError):
    pass


class LedgerEntry(models.Model):
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

    objects = LedgerEntryQuerySet.as_manager()

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

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerIsAppendOnly(_("Ledger entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(_("Ledger entries cannot be deleted."))


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
