"""Admin of the money ledger and payouts, for staff with the ``donations.manage_payouts``
permission (being staff is not enough; superusers have it). Kiron staff do not get in here:
they see Kiron's transfers on the fund page, never hosts' IBANs.

Everything is read-only; batches are created and marked through the buttons, which call the
payout services. A bad request (nothing to pay, a line returned twice) is a message, and
nothing is saved.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.admin import StatusHistoryInline
from events.templatetags.money import format_cents

from . import services_payouts
from .models import MoneyAccount, MoneyEntry, MoneyTransfer, PayoutBatch, PayoutLine

MANAGE = "donations.manage_payouts"


class PayoutPermissionMixin:
    """View-only for holders of ``manage_payouts``; nobody adds, changes or deletes rows."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PayoutLineInline(PayoutPermissionMixin, admin.TabularInline):
    model = PayoutLine
    extra = 0
    can_delete = False
    fields = [
        "end_to_end_id",
        "account",
        "holder_name",
        "iban_masked",
        "amount_display",
        "status",
        "returned_reason",
        "return_link",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("IBAN"))
    def iban_masked(self, obj: PayoutLine) -> str:
        return obj.iban_masked

    @admin.display(description=gettext_lazy("amount"))
    def amount_display(self, obj: PayoutLine) -> str:
        return format_cents(obj.amount_cents)

    @admin.display(description=gettext_lazy("returned?"))
    def return_link(self, obj: PayoutLine) -> str:
        from django.utils.html import format_html

        if obj.status == PayoutLine.Status.RETURNED:
            return "—"
        url = reverse("admin:donations_payoutline_return", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Mark returned or failed"))


class CreateBatchForm(forms.Form):
    execution_date = forms.DateField(
        label=gettext_lazy("Requested execution date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_execution_date(self):
        value = self.cleaned_data["execution_date"]
        if value < timezone.localdate():
            raise ValidationError(_("The execution date cannot be in the past."), code="date_past")
        return value


class ReturnLineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why did the payment come back?"),
        max_length=200,
        help_text=gettext_lazy("As the bank says it, e.g. 'Account closed (AC04)'."),
    )


@admin.register(PayoutBatch)
class PayoutBatchAdmin(PayoutPermissionMixin, admin.ModelAdmin):
    change_list_template = "donations/admin/payoutbatch_change_list.html"
    change_form_template = "donations/admin/payoutbatch_change_form.html"
    list_display = ["reference", "status", "execution_date", "total_display", "created_at"]
    list_filter = ["status"]
    fields = [
        "reference",
        "status",
        "execution_date",
        "total_display",
        "created_by",
        "created_at",
        "executed_at",
        "executed_by",
    ]
    readonly_fields = fields
    inlines = [PayoutLineInline, StatusHistoryInline]

    @admin.display(description=gettext_lazy("total"), ordering="total_cents")
    def total_display(self, obj: PayoutBatch) -> str:
        return format_cents(obj.total_cents)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("create/", wrap(self.create_view), name="donations_payoutbatch_create"),
            path(
                "<int:batch_id>/pain001.xml",
                wrap(self.download_view),
                name="donations_payoutbatch_download",
            ),
            path(
                "<int:batch_id>/executed/",
                wrap(self.executed_view),
                name="donations_payoutbatch_executed",
            ),
            path(
                "line/<int:line_id>/return/",
                wrap(self.return_view),
                name="donations_payoutline_return",
            ),
            *super().get_urls(),
        ]

    def _require_manage(self, request: HttpRequest) -> None:
        if not request.user.has_perm(MANAGE):
            raise PermissionDenied

    def create_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the form (date); POST: gather everything payable into a batch."""
        self._require_manage(request)
        status = 200
        if request.method == "POST":
            form = CreateBatchForm(request.POST)
            if form.is_valid():
                try:
                    batch = services_payouts.payout_batch_create(
                        user=request.user, execution_date=form.cleaned_data["execution_date"]
                    )
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    status = 400
                else:
                    self.message_user(
                        request,
                        _("Batch %(reference)s created: %(count)s lines, %(total)s.")
                        % {
                            "reference": batch.reference,
                            "count": batch.lines.count(),
                            "total": format_cents(batch.total_cents),
                        },
                        messages.SUCCESS,
                    )
                    return redirect("admin:donations_payoutbatch_change", batch.pk)
            else:
                status = 400
        else:
            form = CreateBatchForm(initial={"execution_date": timezone.localdate()})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create a payout batch"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "donations/admin/payoutbatch_create.html", context, status=status
        )

    def download_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        self._require_manage(request)
        batch = get_object_or_404(PayoutBatch, pk=batch_id)
        response = HttpResponse(batch.sepa_xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{batch.reference}.pain.001.xml"'
        return response

    def executed_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        self._require_manage(request)
        if request.method != "POST":
            return redirect("admin:donations_payoutbatch_change", batch_id)
        batch = services_payouts.payout_batch_mark_executed(batch_id=batch_id, user=request.user)
        self.message_user(
            request,
            _("Batch %(reference)s is marked executed by the bank.") % {"reference": batch},
            messages.SUCCESS,
        )
        return redirect("admin:donations_payoutbatch_change", batch_id)

    def return_view(self, request: HttpRequest, line_id: int) -> HttpResponse:
        self._require_manage(request)
        line = get_object_or_404(PayoutLine.objects.select_related("batch"), pk=line_id)
        status = 200
        if request.method == "POST":
            form = ReturnLineForm(request.POST)
            if form.is_valid():
                try:
                    services_payouts.payout_line_mark_returned(
                        line_id=line.pk, reason=form.cleaned_data["reason"], user=request.user
                    )
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return redirect("admin:donations_payoutbatch_change", line.batch_id)
                self.message_user(
                    request,
                    _("Line %(reference)s is marked returned; %(amount)s is back on the balance.")
                    % {"reference": line.end_to_end_id, "amount": format_cents(line.amount_cents)},
                    messages.SUCCESS,
                )
                return redirect("admin:donations_payoutbatch_change", line.batch_id)
            status = 400
        else:
            form = ReturnLineForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Mark line %(reference)s returned or failed")
            % {"reference": line.end_to_end_id},
            "form": form,
            "line": line,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "donations/admin/payoutline_return.html", context, status=status
        )


class MoneyEntryInline(PayoutPermissionMixin, admin.TabularInline):
    model = MoneyEntry
    extra = 0
    can_delete = False
    fields = ["account", "amount_cents", "booking"]
    readonly_fields = fields


@admin.register(MoneyTransfer)
class MoneyTransferAdmin(PayoutPermissionMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "reference", "booking", "memo"]
    list_filter = ["kind"]
    search_fields = ["reference", "booking__reference", "memo"]
    list_select_related = ["booking"]
    fields = ["kind", "reference", "booking", "memo", "created_at"]
    readonly_fields = fields
    inlines = [MoneyEntryInline]


@admin.register(MoneyAccount)
class MoneyAccountAdmin(PayoutPermissionMixin, admin.ModelAdmin):
    list_display = ["key", "kind", "host", "balance_display"]
    list_filter = ["kind"]
    search_fields = ["key", "host__email"]
    list_select_related = ["host"]
    fields = ["key", "kind", "host", "balance_cents"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("balance"), ordering="balance_cents")
    def balance_display(self, obj: MoneyAccount) -> str:
        return format_cents(obj.balance_cents)
