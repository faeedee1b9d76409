"""Community pages. Thin: bind a form, call one service, render or redirect.

Things a person may not see answer 404 (not 403), so nobody learns that they exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings.models import Booking
from events.models import Event
from meetsies.ratelimit import rate_limit_exceeded

from . import rules, selectors, services
from .forms import MessageForm, ReplyForm, ReportForm, ReviewForm
from .models import Conversation, Review


def MESSAGE_LIMIT_TEXT() -> str:  # noqa: N802 (a constant, translated when shown)
    return _(
        "You have sent a lot of messages in the last hour. Please wait a little before "
        "sending more."
    )


def _form_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ------------------------------------------------------------------ reviews


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_write(request: HttpRequest, reference: str) -> HttpResponse:
    """Write the review of one's booking, or edit it within 48 hours."""
    try:
        booking = selectors.booking_for_guest(reference=reference, guest=request.user)
    except Booking.DoesNotExist:
        raise Http404 from None
    review = selectors.review_of_booking(booking=booking)
    if review is not None:
        refusal = rules.review_edit_refusal(review=review, author=request.user)
    else:
        refusal = rules.review_refusal(booking=booking, author=request.user)
    context = {"booking": booking, "event": booking.event, "review": review, "refusal": refusal}
    if refusal is not None:
        return render(request, "community/review_form.html", context, status=403)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if review is None:
                    services.review_create(
                        booking_id=booking.pk,
                        author=request.user,
                        rating=data["rating"],
                        text=data["text"],
                    )
                else:
                    services.review_update(
                        review_id=review.pk,
                        author=request.user,
                        rating=data["rating"],
                        text=data["text"],
                    )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Thank you: your review is published."))
                return redirect("accounts:host", user_id=booking.event.host_id)
        return render(request, "community/review_form.html", {**context, "form": form}, status=400)
    initial = {"rating": review.rating, "text": review.text} if review else None
    return render(
        request, "community/review_form.html", {**context, "form": ReviewForm(initial=initial)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's one public reply to a review of theirs."""
    review = get_object_or_404(
        Review.objects.select_related("event", "author", "author__profile"),
        pk=pk,
        host=request.user,
        hidden_at=None,
    )
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.review_reply(
                    review_id=review.pk, host=request.user, text=form.cleaned_data["reply"]
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Your reply is published."))
                return redirect("accounts:host", user_id=request.user.pk)
        return render(
            request, "community/review_reply.html", {"review": review, "form": form}, status=400
        )
    return render(request, "community/review_reply.html", {"review": review, "form": ReplyForm()})


# ------------------------------------------------------------------ reports


def _report(request: HttpRequest, *, what: str, back: str, **target) -> HttpResponse:
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user, reason=form.cleaned_data["reason"], **target
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Thank you. Our moderators will look at your report."))
                return redirect(back)
        return render(
            request, "community/report.html", {"form": form, "what": what, "back": back}, status=400
        )
    return render(
        request, "community/report.html", {"form": ReportForm(), "what": what, "back": back}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk, hidden_at=None)
    back = reverse("accounts:host", kwargs={"user_id": review.host_id})
    return _report(request, what=_("a review"), back=back, review_id=review.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.exclude(status=Event.Status.DRAFT), pk=pk)
    return _report(request, what=_("an event"), back=event.get_absolute_url(), event_id=event.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_or_404(request, pk)
    back = reverse("community:conversation", kwargs={"pk": conversation.pk})
    return _report(request, what=_("a conversation"), back=back, conversation_id=conversation.pk)


# ------------------------------------------------------------------ attendance


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The host records who did not come, for 7 days after a completed event (never public)."""
    event = get_object_or_404(Event.objects.select_related("city"), pk=pk, host=request.user)
    status = 200
    if request.method == "POST":
        # No guest (or not an id) is a bad form post; a guest of another event is not found.
        try:
            booking_pk = int(request.POST.get("booking", ""))
        except ValueError:
            booking = None
        else:
            booking = get_object_or_404(Booking, pk=booking_pk, event=event)
        action = request.POST.get("action")
        try:
            if booking is None:
                raise ValidationError(_("Choose a guest."), code="invalid_booking")
            if action == "no_show":
                services.booking_mark_no_show(booking_id=booking.pk, actor=request.user)
                messages.success(
                    request,
                    _("%(name)s is marked as not having come.")
                    % {"name": booking.guest.display_name},
                )
            elif action == "came":
                services.booking_unmark_no_show(booking_id=booking.pk, actor=request.user)
                messages.success(
                    request,
                    _("%(name)s is marked as having come.") % {"name": booking.guest.display_name},
                )
            else:
                raise ValidationError(_("Choose what to record."), code="invalid_action")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 400
        else:
            return redirect("community:attendance", pk=event.pk)
    bookings = selectors.event_attendance(event=event)
    refusal = rules.no_show_refusal(
        booking=Booking(event=event, status=Booking.Status.CONFIRMED), actor=request.user
    )
    return render(
        request,
        "community/attendance.html",
        {"event": event, "bookings": bookings, "refusal": refusal},
        status=status,
    )


# ------------------------------------------------------------------ messages


def _conversation_or_404(request: HttpRequest, pk: int) -> Conversation:
    try:
        conversation = selectors.conversation_get(pk=pk)
    except Conversation.DoesNotExist:
        raise Http404 from None
    if rules.conversation_role(booking=conversation.booking, user=request.user) is None:
        raise Http404
    return conversation


@never_cache
@login_required
@require_GET
def conversations(request: HttpRequest) -> HttpResponse:
    """A person's conversations with their unread counts."""
    return render(
        request,
        "community/conversations.html",
        {"conversations": selectors.conversations_of(user=request.user)},
    )


@never_cache
@login_required
@require_GET
def conversation_for_booking(request: HttpRequest, reference: str) -> HttpResponse:
    """Open (creating on first use) the thread of a booking, for its guest or its host."""
    booking = get_object_or_404(Booking.objects.select_related("event"), reference=reference)
    try:
        conversation = services.conversation_get_or_create(booking_id=booking.pk, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    return redirect("community:conversation", pk=conversation.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_or_404(request, pk)
    role = rules.conversation_role(booking=conversation.booking, user=request.user)
    status = 200
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            if rate_limit_exceeded(request, action="community_message"):
                form.add_error(None, MESSAGE_LIMIT_TEXT())
                status = 429
            else:
                try:
                    services.message_send(
                        conversation_id=conversation.pk,
                        sender=request.user,
                        body=form.cleaned_data["body"],
                    )
                except ValidationError as error:
                    _form_errors(form, error)
                    status = 400
                else:
                    return redirect("community:conversation", pk=conversation.pk)
        else:
            status = 400
    services.conversation_mark_read(conversation=conversation, user=request.user)
    booking = conversation.booking
    context = {
        "conversation": conversation,
        "booking": booking,
        "event": booking.event,
        "role": role,
        "other": booking.guest if role == "host" else booking.event.host,
        "thread": selectors.conversation_messages(conversation=conversation),
        "form": form,
        "refusal": rules.message_refusal(conversation=conversation, sender=request.user),
    }
    return render(request, "community/conversation.html", context, status=status)


@login_required
@require_POST
def conversation_block(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_or_404(request, pk)
    if request.POST.get("action") == "unblock":
        try:
            services.conversation_unblock(conversation_id=conversation.pk, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The conversation is open again."))
    else:
        services.conversation_block(conversation_id=conversation.pk, user=request.user)
        messages.success(request, _("The conversation is blocked: nobody can write in it now."))
    return redirect("community:conversation", pk=conversation.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def announce(request: HttpRequest, pk: int) -> HttpResponse:
    """The host writes to all confirmed guests of an upcoming event."""
    event = get_object_or_404(Event, pk=pk, host=request.user)
    status = 200
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            if rate_limit_exceeded(request, action="community_message"):
                form.add_error(None, MESSAGE_LIMIT_TEXT())
                return render(
                    request, "community/announce.html", {"event": event, "form": form}, status=429
                )
            try:
                sent = services.announcement_send(
                    event_id=event.pk, sender=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                _form_errors(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    ngettext(
                        "Your message was sent to %(count)s guest.",
                        "Your message was sent to %(count)s guests.",
                        len(sent),
                    )
                    % {"count": len(sent)},
                )
                return redirect(event)
        else:
            status = 400
    return render(request, "community/announce.html", {"event": event, "form": form}, status=status)


# ------------------------------------------------------------------ robots.txt


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl the public pages; keep out of accounts, bookings, messages and the admin."""
    private = [
        "admin/",
        "accounts/",
        "bookings/",
        "messages/",
        "profile/",
        "reviews/write/",
        "attendance/",
        "announce/",
        "report/",
        "events/new/",
        "events/mine/",
    ]
    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/{path}" for path in private]
    lines += ["Disallow: /stripe/", "", f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
