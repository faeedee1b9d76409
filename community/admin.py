"""Moderation in the admin: the report queue, reviews (hide with a reason), reported conversations.

Being staff only opens the admin. Hiding a review needs ``community.hide_review``; reading a
conversation needs ``community.read_reported_conversation`` and shows only reported ones.
Authors appear by display name, never by email address.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import selectors, services
from .forms import HideReviewForm
from .models import Conversation, Message, Report, Review


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "status", "what", "target_link", "reason", "reporter_name"]
    list_filter = ["status", "created_at"]
    list_select_related = ["reporter", "reporter__profile", "review", "event", "conversation"]
    ordering = ["status", "-created_at"]
    actions = ["resolve"]
    fields = ["status", "reason", "reporter_name", "target_link", "resolved_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("about"))
    def what(self, report: Report) -> str:
        if report.review_id:
            return _("review")
        if report.event_id:
            return _("event")
        return _("conversation")

    @admin.display(description=_("reported"))
    def target_link(self, report: Report):
        if report.review_id:
            url = reverse("admin:community_review_change", args=[report.review_id])
        elif report.event_id:
            url = reverse("admin:events_event_change", args=[report.event_id])
        else:
            url = reverse("admin:community_conversation_change", args=[report.conversation_id])
        return format_html('<a href="{}">{}</a>', url, str(report.target))

    @admin.display(description=_("reported by"))
    def reporter_name(self, report: Report) -> str:
        return report.reporter.display_name

    @admin.action(description=_("Mark the selected reports resolved"), permissions=["resolve"])
    def resolve(self, request, queryset):
        for report in queryset:
            services.report_resolve(report_id=report.pk, actor=request.user)
        self.message_user(request, _("Reports resolved."), messages.SUCCESS)

    def has_resolve_permission(self, request) -> bool:
        return request.user.has_perm("community.change_report")


@admin.register(Review)
class ReviewAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "rating", "event", "host_name", "author_name", "is_public"]
    list_filter = ["rating", ("hidden_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["event", "host", "host__profile", "author", "author__profile"]
    search_fields = ["event__title", "text"]
    actions = ["hide"]
    fields = [
        "event",
        "host_name",
        "author_name",
        "rating",
        "text",
        "reply",
        "replied_at",
        "hidden_at",
        "hidden_reason",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("host"))
    def host_name(self, review: Review) -> str:
        return review.host.display_name

    @admin.display(description=_("author"))
    def author_name(self, review: Review) -> str:
        return review.author.display_name

    @admin.display(description=_("public"), boolean=True)
    def is_public(self, review: Review) -> bool:
        return review.hidden_at is None

    def has_hide_permission(self, request) -> bool:
        return request.user.has_perm("community.hide_review")

    @admin.action(description=_("Hide the selected reviews (with a reason)"), permissions=["hide"])
    def hide(self, request, queryset):
        if not self.has_hide_permission(request):
            raise PermissionDenied
        form = HideReviewForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for review in queryset:
                services.review_hide(
                    review_id=review.pk, actor=request.user, reason=form.cleaned_data["reason"]
                )
            count = queryset.count()
            self.message_user(
                request,
                ngettext("%(count)d review hidden.", "%(count)d reviews hidden.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "community/admin/hide_reviews.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Hide reviews"),
                "reviews": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class MessageInline(ReadOnly, admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "sender_name", "kind", "body"]
    readonly_fields = fields

    @admin.display(description=_("sender"))
    def sender_name(self, message: Message) -> str:
        return message.sender.display_name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender", "sender__profile")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("community.read_reported_conversation")


@admin.register(Conversation)
class ConversationAdmin(ReadOnly, admin.ModelAdmin):
    """Only conversations someone reported, and only for staff with the explicit permission."""

    list_display = ["booking", "last_message_at", "blocked_at"]
    fields = ["booking", "created_at", "last_message_at", "blocked_at"]
    readonly_fields = fields
    inlines = [MessageInline]

    def get_queryset(self, request):
        return selectors.conversations_reported().select_related("booking", "booking__event")

    def _may_read(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(
            "community.read_reported_conversation"
        )

    def has_view_permission(self, request, obj=None):
        return self._may_read(request)

    def has_module_permission(self, request):
        return self._may_read(request) or super().has_module_permission(request)
