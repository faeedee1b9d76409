"""Admin for cities, communes and events.

Staff see an event's exact address only with ``events.view_event_address``; an event's status
changes only through the services, here through the moderation action that needs
``events.moderate_event`` (the same permission the service checks).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import City, Commune, Event, EventChange

ADDRESS_PERMISSION = "events.view_event_address"


class CommuneInline(admin.TabularInline):
    model = Commune
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "country"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CommuneInline]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "slug"]
    list_filter = ["city"]
    list_select_related = ["city"]
    search_fields = ["name", "city__name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "host",
        "kind",
        "city",
        "commune",
        "starts_at",
        "status",
        "seats",
        "contribution_cents",
        "pledge_percent",
    ]
    list_filter = ["status", "kind", "city"]
    list_select_related = ["host", "host__profile", "city", "commune"]
    search_fields = ["title", "host__email"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["host"]
    readonly_fields = [
        "status",
        "seats_reserved",
        "published_at",
        "cancelled_at",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    ordering = ["-starts_at"]
    actions = ["cancel_events"]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.has_perm(ADDRESS_PERMISSION):
            excluded.append("address")
        return excluded

    def has_moderate_permission(self, request) -> bool:
        return services.event_can_moderate(user=request.user)

    @admin.action(
        description=_("Cancel the selected events (guests are refunded)"),
        permissions=["moderate"],
    )
    def cancel_events(self, request, queryset):
        """Moderation: cancel through the same service as the host's own button, so guests
        are refunded and told; each event that cannot be cancelled is named."""
        cancelled = 0
        for event in queryset.order_by("pk"):
            try:
                services.event_cancel(event_id=event.pk, actor=request.user)
            except PermissionDenied:
                raise
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(title)s was not cancelled: %(reasons)s")
                    % {"title": event.title, "reasons": " ".join(error.messages)},
                    messages.WARNING,
                )
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request,
                ngettext("%(count)d event cancelled.", "%(count)d events cancelled.", cancelled)
                % {"count": cancelled},
                messages.SUCCESS,
            )

    @admin.display(description=_("seats booked"))
    def seats(self, obj: Event) -> str:
        return f"{obj.seats_reserved} / {obj.capacity}"


@admin.register(EventChange)
class EventChangeAdmin(admin.ModelAdmin):
    """What hosts changed in published events and when the guests were told (read-only)."""

    list_display = ["event", "created_at", "guests_notified_at"]
    list_select_related = ["event"]
    list_filter = [("guests_notified_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["event", "changes", "changed_by", "created_at", "guests_notified_at"]

    def get_readonly_fields(self, request, obj=None):
        # The changes hold the old and new exact address: the address permission's business.
        if request.user.has_perm(ADDRESS_PERMISSION):
            return self.readonly_fields
        return [name for name in self.readonly_fields if name != "changes"]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.has_perm(ADDRESS_PERMISSION):
            excluded.append("changes")
        return excluded

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
