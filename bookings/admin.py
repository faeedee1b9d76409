"""Admin: bookings, payments, refunds and processed Stripe events, searchable and read-mostly.

Money and statuses change only through the services, so those fields are read-only here.
Who the guest is (email, dietary notes) shows only to staff with
``bookings.view_guest_details``: Kiron staff review the money, not the guests.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from audit.admin import StatusHistoryInline
from audit.services import Actor
from events.templatetags.money import format_cents

from . import services, stripe_gateway
from .models import Booking, Payment, Refund, StripeEvent

GUEST_DETAILS_PERMISSION = "bookings.view_guest_details"
# Fields and lookups that tell who a guest is, left out without the permission.
GUEST_FIELDS = ("guest", "guest_email", "dietary_notes")


def can_view_guest_details(request) -> bool:
    return request.user.has_perm(GUEST_DETAILS_PERMISSION)


class GuestDetailsHidden:
    """Leaves out ``GUEST_FIELDS`` (and searching by them) for staff without the permission."""

    def get_list_display(self, request):
        fields = super().get_list_display(request)
        if can_view_guest_details(request):
            return fields
        return [name for name in fields if name not in GUEST_FIELDS]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if can_view_guest_details(request):
            return fields
        return [name for name in fields if "guest" not in name]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not can_view_guest_details(request):
            excluded += GUEST_FIELDS
        return excluded

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if can_view_guest_details(request):
            return fields
        return [name for name in fields if name not in GUEST_FIELDS]


REFUND_PERMISSION = "bookings.refund_payment"


class StaffRefundForm(forms.Form):
    """Shape of a staff refund; the refundable amount is checked against the payment."""

    amount = forms.CharField(
        label=gettext_lazy("Amount in euros"),
        required=False,
        max_length=12,
        help_text=gettext_lazy("Leave empty to refund everything still refundable."),
    )
    note = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("Why staff refund this payment (kept with the refund)."),
    )

    def __init__(self, *args, refundable_cents: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable_cents = refundable_cents

    def clean_amount(self) -> int | None:
        raw = (self.cleaned_data.get("amount") or "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            euros = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(
                _("Enter an amount such as 12.50."), code="amount_invalid"
            ) from None
        cents = euros * 100
        if cents != cents.to_integral_value() or cents <= 0:
            raise ValidationError(
                _("Enter a positive amount in euros and cents."), code="amount_invalid"
            )
        if cents > self.refundable_cents:
            raise ValidationError(
                _("At most %(max)s can still be refunded."),
                code="amount_too_large",
                params={"max": format_cents(self.refundable_cents)},
            )
        return int(cents)


class NoAddNoDelete:
    """Rows are written by the services only; deleting one would undo seats or money silently."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentInline(NoAddNoDelete, admin.StackedInline):
    model = Payment
    extra = 0
    readonly_fields = [
        "stripe_payment_intent_id",
        "amount_cents",
        "currency",
        "status",
        "refunded_cents",
        "last_error",
        "succeeded_at",
    ]


@admin.register(Booking)
class BookingAdmin(GuestDetailsHidden, NoAddNoDelete, admin.ModelAdmin):
    list_display = ["reference", "event", "guest", "seats", "gross_cents", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = [
        "reference",
        "guest__email",
        "event__title",
        "=event__id",
        "payment__stripe_payment_intent_id",
    ]
    list_select_related = ["event", "guest"]
    raw_id_fields = ["event", "guest"]
    date_hierarchy = "created_at"
    inlines = [PaymentInline, StatusHistoryInline]
    readonly_fields = [
        "reference",
        "event",
        "guest",
        "guest_email",
        "seats",
        "currency",
        "unit_price_cents",
        "gross_cents",
        "pledge_percent",
        "pledge_cents",
        "platform_fee_cents",
        "host_cents",
        "status",
        "hold_expires_at",
        "confirmed_at",
        "cancelled_at",
        "expired_at",
        "confirmation_sent_at",
        "reminder_sent_at",
        "cancellation_sent_at",
        "created_at",
        "updated_at",
    ]

    @admin.display(description=_("guest's email"))
    def guest_email(self, obj: Booking) -> str:
        return obj.guest.email


@admin.register(Payment)
class PaymentAdmin(GuestDetailsHidden, NoAddNoDelete, admin.ModelAdmin):
    list_display = [
        "stripe_payment_intent_id",
        "booking",
        "amount_cents",
        "refunded_cents",
        "status",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = [
        "stripe_payment_intent_id",
        "booking__reference",
        "booking__guest__email",
        "=booking__event__id",
    ]
    list_select_related = ["booking", "booking__event"]
    readonly_fields = [field.name for field in Payment._meta.fields if not field.primary_key]
    change_form_template = "bookings/admin/payment_change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:payment_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="bookings_payment_refund",
            ),
            *super().get_urls(),
        ]

    def refund_view(self, request, payment_id: int):
        """Staff refund (full or partial, with a reason) through ``payment_refund``."""
        if not request.user.has_perm(REFUND_PERMISSION):
            raise PermissionDenied
        payment = get_object_or_404(Payment.objects.select_related("booking"), pk=payment_id)
        status = 200
        form = StaffRefundForm(request.POST or None, refundable_cents=payment.refundable_cents)
        if request.method == "POST":
            if form.is_valid():
                try:
                    refund = services.payment_refund(
                        payment_id=payment.pk,
                        reason=Refund.Reason.STAFF,
                        amount_cents=form.cleaned_data["amount"],
                        note=f"{request.user.email}: {form.cleaned_data['note']}",
                        actor=Actor.person(request.user),
                    )
                except stripe_gateway.StripeError as error:
                    self.message_user(
                        request, _("Stripe refused the refund: %s") % error, messages.ERROR
                    )
                    status = 502
                else:
                    if refund is None:
                        self.message_user(
                            request, _("Nothing is left to refund on this payment."), messages.ERROR
                        )
                    else:
                        self.message_user(
                            request,
                            _("Refunded %(amount)s.")
                            % {"amount": format_cents(refund.amount_cents)},
                            messages.SUCCESS,
                        )
                    return redirect("admin:bookings_payment_change", payment.pk)
            else:
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund booking %(reference)s") % {"reference": payment.booking.reference},
            "form": form,
            "payment": payment,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "bookings/admin/payment_refund.html", context, status=status
        )


@admin.register(Refund)
class RefundAdmin(GuestDetailsHidden, NoAddNoDelete, admin.ModelAdmin):
    list_display = ["stripe_refund_id", "payment", "amount_cents", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = [
        "stripe_refund_id",
        "payment__stripe_payment_intent_id",
        "payment__booking__reference",
        "payment__booking__guest__email",
    ]
    list_select_related = ["payment"]
    readonly_fields = [field.name for field in Refund._meta.fields if not field.primary_key]


@admin.register(StripeEvent)
class StripeEventAdmin(NoAddNoDelete, admin.ModelAdmin):
    list_display = ["event_id", "type", "payment_intent_id", "processed_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "payment_intent_id"]
    readonly_fields = ["event_id", "type", "payment_intent_id", "processed_at"]
