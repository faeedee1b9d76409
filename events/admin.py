from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import City, Commune, Event, EventChange


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
        "seats_reserved",
        "published_at",
        "cancelled_at",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    ordering = ["-starts_at"]

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
