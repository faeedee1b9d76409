"""Admin for Kiron staff: the fund at a glance, the read-only ledger, tranches, laptops bought.

Access follows Django's model permissions: the "Kiron staff" group (data migration) can view
funds, ledger entries and tranches and add/change disbursements; other staff see none of it.
Nobody, superusers included, can add, change or delete ledger entries or tranches here.
"""

import csv

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.templatetags.money import format_cents

from . import charts, selectors, services
from .models import Disbursement, Fund, LedgerEntry, Tranche

# ---------------------------------------------------------------- fund


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    change_form_template = "donations/admin/fund_change_form.html"
    list_display = ["name", "net_display", "complete_tranches", "tranche_display"]
    fields = ["name", "slug", "beneficiary", "tranche_cents", "pledged_cents", "reversed_cents"]
    readonly_fields = ["pledged_cents", "reversed_cents"]

    @admin.display(description=_("net"))
    def net_display(self, obj: Fund) -> str:
        return format_cents(obj.net_cents)

    @admin.display(description=_("tranche"))
    def tranche_display(self, obj: Fund) -> str:
        return format_cents(obj.tranche_cents)

    def get_readonly_fields(self, request, obj=None):
        # Changing the tranche size would renumber laptops that already exist.
        if obj is not None:
            return [*self.readonly_fields, "slug", "tranche_cents"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        fund = self.get_object(request, object_id)
        if fund is not None and self.has_view_or_change_permission(request, fund):
            bought = selectors.fund_laptops_bought(fund=fund)
            from . import selectors_money

            extra_context["summary"] = {
                "fund": fund,
                "kiron": selectors_money.kiron_summary(),
                "transfers": selectors_money.kiron_transfers(),
                "bought": bought,
                "available": max(fund.complete_tranches - bought, 0),
                "chart": charts.net_chart(
                    selectors.fund_net_by_day(fund=fund), tranche_cents=fund.tranche_cents
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)


# ---------------------------------------------------------------- ledger


class HostFilter(admin.SimpleListFilter):
    title = _("host")
    parameter_name = "host"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        hosts = (
            get_user_model()
            .objects.filter(hosted_events__bookings__ledger_entries__isnull=False)
            .distinct()
            .order_by("email")
        )
        # Names, never emails: Kiron staff need to tell hosts apart, not to write to them.
        return [
            (str(host.pk), host.get_full_name() or _("Host #%(id)s") % {"id": host.pk})
            for host in hosts
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(booking__event__host_id=self.value())
        return queryset


class EventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        from events.models import Event

        events = (
            Event.objects.filter(bookings__ledger_entries__isnull=False)
            .distinct()
            .order_by("-starts_at")
        )
        return [(str(event.pk), f"{event.title} ({event.starts_at:%Y-%m-%d})") for event in events]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(booking__event_id=self.value())
        return queryset


CSV_HEADER = [
    "recorded_at",
    "kind",
    "amount_cents",
    "amount_eur",
    "net_after_cents",
    "reference",
    "booking",
    "event_id",
    "event",
    "event_date",
    "host_id",
]


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (event titles are typed by hosts)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def ledger_csv_response(queryset) -> HttpResponse:
    """The given ledger entries as a CSV download, oldest first, one row per entry."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cook4chance-ledger-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    rows = queryset.select_related("booking__event").order_by("created_at", "pk")
    for entry in rows.iterator(chunk_size=2000):
        booking = entry.booking
        event = booking.event if booking else None
        writer.writerow(
            [
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                entry.kind,
                entry.amount_cents,
                _euros(entry.amount_cents),
                entry.net_after_cents,
                entry.reference,
                booking.reference if booking else "",
                event.pk if event else "",
                _csv_safe(event.title) if event else "",
                timezone.localtime(event.starts_at).date().isoformat() if event else "",
                event.host_id if event else "",
            ]
        )
    return response


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    change_list_template = "donations/admin/ledger_change_list.html"
    list_display = [
        "created_at",
        "kind",
        "amount_display",
        "net_after_display",
        "reference",
        "booking_reference",
        "event_title",
    ]
    list_filter = [("created_at", admin.DateFieldListFilter), HostFilter, EventFilter, "kind"]
    list_select_related = ["booking__event"]
    date_hierarchy = "created_at"
    search_fields = ["reference", "booking__reference"]
    actions = ["export_csv"]
    list_per_page = 100

    @admin.display(description=_("amount"), ordering="amount_cents")
    def amount_display(self, obj: LedgerEntry) -> str:
        return format_cents(obj.amount_cents)

    @admin.display(description=_("net after"))
    def net_after_display(self, obj: LedgerEntry) -> str:
        return format_cents(obj.net_after_cents)

    @admin.display(description=_("booking"))
    def booking_reference(self, obj: LedgerEntry) -> str:
        return obj.booking.reference if obj.booking else "—"

    @admin.display(description=_("event"))
    def event_title(self, obj: LedgerEntry) -> str:
        return obj.booking.event.title if obj.booking else "—"

    # Append-only: no add, change or delete for anyone, superusers included.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_csv(self, request, queryset):
        return ledger_csv_response(queryset)

    def get_urls(self):
        urls = [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="donations_ledgerentry_export",
            )
        ]
        return urls + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """CSV of every entry matching the change list's current filters and search."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return ledger_csv_response(changelist.get_queryset(request))


# ---------------------------------------------------------------- tranches


@admin.register(Tranche)
class TrancheAdmin(admin.ModelAdmin):
    list_display = ["number", "fund", "completed_at", "staff_notified_at"]
    list_filter = ["fund"]
    readonly_fields = ["fund", "number", "completed_at", "staff_notified_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---------------------------------------------------------------- laptops bought

_FIELD_FOR_CODE = {
    "date_required": "bought_on",
    "date_future": "bought_on",
    "amount_not_positive": "amount_cents",
    "reference_required": "student_reference",
}


class DisbursementAdminForm(forms.ModelForm):
    """Shape checks, then the service's rules; on add, takes the fund lock (see save_model)."""

    class Meta:
        model = Disbursement
        fields = ["fund", "bought_on", "amount_cents", "student_reference", "note"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.disbursement_input_check(
                bought_on=cleaned.get("bought_on"),
                amount_cents=cleaned.get("amount_cents"),
                student_reference=cleaned.get("student_reference", ""),
            )
            if self.instance.pk is None:
                # The admin wraps validation and save_model in one transaction, so this lock
                # is held until the disbursement is saved: two staff cannot both take the
                # last tranche.
                services.disbursement_availability_check(fund_id=cleaned["fund"].pk)
        except ValidationError as error:
            for item in error.error_list:
                self.add_error(_FIELD_FOR_CODE.get(item.code), item)
        return cleaned


@admin.register(Disbursement)
class DisbursementAdmin(admin.ModelAdmin):
    form = DisbursementAdminForm
    list_display = ["bought_on", "student_reference", "amount_display", "note", "fund"]
    list_filter = ["fund", "bought_on"]
    readonly_fields = ["recorded_by", "created_at"]
    date_hierarchy = "bought_on"

    @admin.display(description=_("amount"), ordering="amount_cents")
    def amount_display(self, obj: Disbursement) -> str:
        return format_cents(obj.amount_cents)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "fund"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["fund", "bought_on", "amount_cents", "student_reference", "note"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fund = selectors.fund_get_cook4chance()
        if fund.pk is not None:
            initial.setdefault("fund", fund.pk)
        initial.setdefault("bought_on", timezone.localdate())
        return initial

    def save_model(self, request, obj: Disbursement, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.disbursement_change(
                disbursement=obj,
                bought_on=data["bought_on"],
                amount_cents=data["amount_cents"],
                student_reference=data["student_reference"],
                note=data.get("note", ""),
            )
            return
        saved = services.disbursement_record(
            fund=data["fund"],
            bought_on=data["bought_on"],
            amount_cents=data["amount_cents"],
            student_reference=data["student_reference"],
            note=data.get("note", ""),
            user=request.user,
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved row.
        obj.pk = saved.pk
        obj.recorded_by = saved.recorded_by
        obj.created_at = saved.created_at
        obj._state.adding = False
        obj._state.db = saved._state.db


from . import admin_payouts  # noqa: E402, F401  (registers the money ledger and payouts)
