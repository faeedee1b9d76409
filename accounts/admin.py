from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import NewsletterSubscription, Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0
    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's UserAdmin for a user whose login is the email address (no username)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name", "profile__display_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = [ProfileInline]
    actions = ["erase_accounts"]

    @admin.action(
        description=_("Erase the selected accounts (GDPR request)"), permissions=["delete"]
    )
    def erase_accounts(self, request, queryset):
        """Staff answering an erasure request by email: the same erasure as the person's own
        button, with the same blockers (each reported, that account left as it was)."""
        erased = 0
        for user in queryset.order_by("pk"):
            label = user.email
            try:
                services.user_erase(user_id=user.pk)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(email)s was not erased: %(reasons)s")
                    % {"email": label, "reasons": " ".join(error.messages)},
                    messages.WARNING,
                )
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                ngettext("%(count)d account erased.", "%(count)d accounts erased.", erased)
                % {"count": erased},
                messages.SUCCESS,
            )

    def get_inlines(self, request, obj):
        # A new user gets a profile lazily, the first time one is needed.
        return self.inlines if obj is not None else []


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "city", "commune", "updated_at"]
    list_filter = ["city"]
    list_select_related = ["user", "city", "commune"]
    search_fields = ["user__email", "display_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(NewsletterSubscription)
class NewsletterSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "language", "consent_given_at", "confirmed_at", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "consent_given_at",
        "consent_policy_version",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
    ]
