"""Pages for finding and hosting events. Thin: bind a form, call one service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import DisplayNameForm
from accounts.services import profile_set_display_name

from . import selectors, services
from .cache import public_fragment, public_page_cache
from .forms import EventFilterForm, EventForm
from .ics import event_ics

EVENTS_PER_PAGE = 12
# The list counts and pages through at most this many events (100 pages); filters narrow it.
EVENTS_LIST_MAX_ROWS = 1200


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names (others on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
@public_page_cache
def event_list(request: HttpRequest) -> HttpResponse:
    filter_form = EventFilterForm(request.GET or None)
    events = selectors.event_list_upcoming(**filter_form.filters())
    page = selectors.CappedCountPaginator(
        events, EVENTS_PER_PAGE, max_rows=EVENTS_LIST_MAX_ROWS
    ).get_page(request.GET.get("page"))
    # The filter form's widgets are the slowest part of the page to render and depend only on
    # the query string, the language and the communes: rendered once, then from the cache.
    filter_fields = public_fragment(
        "event-filters",
        request.GET.urlencode(),
        lambda: render_to_string("events/_filter_fields.html", {"filter_form": filter_form}),
    )
    return render(
        request,
        "events/list.html",
        {
            "filter_form": filter_form,
            "filter_fields": filter_fields,
            "page_obj": page,
            "events": page.object_list,
        },
    )


@require_GET
@public_page_cache
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_visible(pk=pk, user=request.user)
    can_manage = services.event_can_manage(user=request.user, event=event)
    return render(request, "events/detail.html", {"event": event, "can_manage": can_manage})


@require_GET
def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_visible(pk=pk, user=request.user)
    include_address = services.event_can_manage(user=request.user, event=event)
    response = HttpResponse(
        event_ics(event=event, include_address=include_address),
        content_type="text/calendar; charset=utf-8",
    )
    filename = f"{slugify(event.title) or 'event'}-{event.pk}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                event = services.event_create(
                    host=request.user,
                    data=services.EventData.from_cleaned_data(form.cleaned_data),
                    photo=form.cleaned_data.get("photo") or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Draft saved. Check it, then publish it."))
                return redirect("events:preview", pk=event.pk)
        return render(request, "events/form.html", {"form": form, "event": None}, status=400)
    form = EventForm(initial={"pledge_percent": 0, "capacity": 6, "contribution": 0})
    return render(request, "events/form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_managed(pk=pk, user=request.user)
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, initial=EventForm.initial_for(event))
        if form.is_valid():
            photo = form.cleaned_data.get("photo")
            try:
                event = services.event_update(
                    event_id=event.pk,
                    actor=request.user,
                    data=services.EventData.from_cleaned_data(form.cleaned_data),
                    photo=photo if isinstance(photo, UploadedFile) else None,
                    clear_photo=photo is False,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if event.status == event.Status.DRAFT:
                    messages.success(request, _("Draft saved."))
                    return redirect("events:preview", pk=event.pk)
                messages.success(request, _("Your changes are saved."))
                return redirect(event)
        return render(request, "events/form.html", {"form": form, "event": event}, status=400)
    form = EventForm(initial=EventForm.initial_for(event))
    return render(request, "events/form.html", {"form": form, "event": event})


def _preview(request: HttpRequest, event, *, name_form=None, status: int = 200) -> HttpResponse:
    host = event.host
    profile = getattr(host, "profile", None)
    return render(
        request,
        "events/preview.html",
        {
            "event": event,
            "can_manage": True,
            "name_form": name_form
            if name_form is not None
            else (None if host.has_public_name else DisplayNameForm()),
            "nudge_profile": not (profile and profile.photo and profile.bio),
            "nudge_photo": not event.photo,
        },
        status=status,
    )


@login_required
@require_GET
def event_preview(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_managed(pk=pk, user=request.user)
    return _preview(request, event)


@login_required
@require_POST
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish; a host who never chose a public name gives it in the same form."""
    event = selectors.event_get_managed(pk=pk, user=request.user)
    if "display_name" in request.POST and event.host_id == request.user.pk:
        name_form = DisplayNameForm(request.POST)
        if not name_form.is_valid():
            return _preview(request, event, name_form=name_form, status=400)
        profile_set_display_name(
            user=request.user, display_name=name_form.cleaned_data["display_name"]
        )
    try:
        event = services.event_publish(event_id=event.pk, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("events:preview", pk=event.pk)
    messages.success(request, _("Your event is published. Guests can now find and book it."))
    return redirect(event)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_managed(pk=pk, user=request.user)
    if request.method == "POST":
        try:
            services.event_cancel(event_id=event.pk, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The event is cancelled. Guests who paid will be refunded.")
            )
        return redirect("events:mine")
    return render(request, "events/cancel.html", {"event": event})


@login_required
@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    events = selectors.event_list_hosted_by(host=request.user)
    return render(request, "events/mine.html", {"events": events})
