"""A read-only history inline for the admin page of any model with a status."""

from django.contrib.contenttypes.admin import GenericTabularInline

from .models import StatusChange


class StatusHistoryInline(GenericTabularInline):
    """Who changed the status, when, from, to and why; whoever may view the parent sees it."""

    model = StatusChange
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor_kind", "actor", "reason"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]
    # Who the person was shows only with this permission (a guest's name is private).
    person_permission = "bookings.view_guest_details"

    def get_fields(self, request, obj=None):
        if request.user.has_perm(self.person_permission):
            return self.fields
        return [name for name in self.fields if name != "actor"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return True  # the parent's own view permission already applies

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
