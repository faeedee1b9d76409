"""Admin: bookings, payments, refunds and processed Stripe events, searchable and read-mostly.

Money and statuses change only through the services, so those fields are read-only here.
"""

from django.contrib import admin

from .models import Booking, Payment, Refund, StripeEvent


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
class BookingAdmin(NoAddNoDelete, admin.ModelAdmin):
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
    inlines = [PaymentInline]
    readonly_fields = [
        "reference",
        "event",
        "guest",
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


@admin.register(Payment)
class PaymentAdmin(NoAddNoDelete, admin.ModelAdmin):
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


@admin.register(Refund)
class RefundAdmin(NoAddNoDelete, admin.ModelAdmin):
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
