"""Pages of booking and paying. Thin: bind a form, call one service, render or redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.models import Event
from meetsies.ratelimit import rate_limit_exceeded

from . import selectors, services, stripe_gateway
from .emails import booking_ics
from .forms import HoldForm, PayForm
from .models import Booking, Payment


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _own_booking(request: HttpRequest, reference: str) -> Booking:
    """The request user's booking, or 404 (another user's booking does not exist for them)."""
    return get_object_or_404(
        Booking.objects.select_related("event", "event__city", "event__commune", "event__host"),
        reference=reference,
        guest=request.user,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold(request: HttpRequest, event_pk: int) -> HttpResponse:
    """Hold seats (POST from the event page's booking panel); GET shows the same form alone."""
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=event_pk)
    form = HoldForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                booking = services.booking_hold(
                    event_id=event.pk,
                    guest=request.user,
                    seats=form.cleaned_data["seats"],
                    dietary_notes=form.cleaned_data["dietary_notes"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if booking.status == Booking.Status.CONFIRMED:
                    messages.success(request, _("You're booked! We sent you an email."))
                    return redirect(booking)
                return redirect("bookings:checkout", reference=booking.reference)
        status = 400
    return render(
        request,
        "bookings/hold.html",
        {"event": event, "form": form, "seat_choices": selectors.event_seat_choices(event=event)},
        status=status,
    )


@login_required
def checkout(request: HttpRequest, reference: str) -> HttpResponse:
    """The card form with the hold's countdown. Only a held, running booking can be paid."""
    booking = _own_booking(request, reference)
    if booking.status != Booking.Status.HELD:
        return redirect(booking)
    if booking.hold_expires_at <= timezone.now():
        messages.error(request, _("Your hold on these seats has expired. Please book again."))
        return redirect(booking)
    payment = Payment.objects.filter(booking=booking).first()
    return render(
        request,
        "bookings/checkout.html",
        {
            "booking": booking,
            "event": booking.event,
            "payment": payment,
            "seconds_left": int((booking.hold_expires_at - timezone.now()).total_seconds()),
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
    )


@login_required
@require_POST
def setup_intent(request: HttpRequest, reference: str) -> JsonResponse:
    """A fresh SetupIntent client secret for Stripe.js to turn the card into a payment method."""
    booking = _own_booking(request, reference)
    if booking.status != Booking.Status.HELD or booking.hold_expires_at <= timezone.now():
        return JsonResponse(
            {"error": _("Your hold on these seats has expired. Please book again.")}, status=409
        )
    # Each call makes a SetupIntent at Stripe: limited per guest and per booking
    # (settings.ACCOUNT_RATE_LIMITS["checkout_setup_intent"]).
    if rate_limit_exceeded(request, action="checkout_setup_intent", key=booking.reference):
        return JsonResponse(
            {
                "error": _(
                    "Too many payment attempts in a short while. Please wait a few minutes, "
                    "then try again."
                )
            },
            status=429,
        )
    try:
        secret = stripe_gateway.setup_intent_create(booking_reference=booking.reference)
    except stripe_gateway.StripeError:
        return JsonResponse(
            {"error": _("The payment service is unavailable. Please try again.")}, status=502
        )
    return JsonResponse({"client_secret": secret})


@login_required
@require_POST
def pay(request: HttpRequest, reference: str) -> JsonResponse:
    """Charge the set-up card; answers JSON for checkout.js. Confirmation comes from Stripe."""
    booking = _own_booking(request, reference)
    form = PayForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"status": "failed", "error": _error_text(form.errors.as_data()["payment_method"][0])},
            status=400,
        )
    try:
        attempt = services.booking_pay(
            booking_id=booking.pk,
            guest=request.user,
            payment_method_id=form.cleaned_data["payment_method"],
        )
    except ValidationError as exc:
        code = 409 if exc.code in ("already_paid", "payment_in_progress") else 400
        return JsonResponse({"status": "failed", "error": _error_text(exc)}, status=code)
    body = {"status": attempt.status, "error": attempt.error}
    if attempt.status == "requires_action":
        body["client_secret"] = attempt.client_secret
    if attempt.status in ("succeeded", "processing"):
        body["redirect"] = booking.get_absolute_url()
    return JsonResponse(body, status=402 if attempt.status == "failed" else 200)


@login_required
@require_POST
def payment_status(request: HttpRequest, reference: str) -> JsonResponse:
    """Ask Stripe (server side) where the booking's payment stands, e.g. after 3-D Secure."""
    booking = _own_booking(request, reference)
    try:
        payment = services.booking_payment_refresh(booking_id=booking.pk)
    except stripe_gateway.StripeError:
        payment = Payment.objects.filter(booking=booking).first()
    booking.refresh_from_db()
    body = {
        "booking_status": booking.status,
        "payment_status": payment.status if payment else "",
        "error": payment.last_error if payment else "",
        "redirect": booking.get_absolute_url(),
    }
    if payment and payment.status == Payment.Status.REQUIRES_PAYMENT_METHOD and not body["error"]:
        body["error"] = _("The payment did not go through. Please try again.")
    return JsonResponse(body)


def _money_still_split(booking: Booking, payment: Payment | None) -> bool:
    """Whether the booking's split (so much to Kiron, so much to the host) still holds: while
    held or confirmed, and after a cancellation that kept the money; not once anything was
    refunded, nor for a hold that lapsed."""
    if booking.is_free or (payment is not None and payment.refunded_cents):
        return False
    if booking.status in Booking.SEAT_TAKING:
        return True
    paid = payment is not None and payment.status == Payment.Status.SUCCEEDED
    return booking.status == Booking.Status.CANCELLED and paid


@login_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One booking. The exact address shows only once the booking is confirmed."""
    booking = _own_booking(request, reference)
    if booking.status in (Booking.Status.HELD, Booking.Status.EXPIRED):
        # The guest came back: ask Stripe rather than trust the browser.
        try:
            services.booking_payment_refresh(booking_id=booking.pk)
        except stripe_gateway.StripeError:
            pass
        booking = _own_booking(request, reference)
    payment = Payment.objects.filter(booking=booking).first()
    now = timezone.now()
    return render(
        request,
        "bookings/detail.html",
        {
            "booking": booking,
            "event": booking.event,
            "payment": payment,
            "hold_running": booking.status == Booking.Status.HELD and booking.hold_expires_at > now,
            "show_split": _money_still_split(booking, payment),
            "can_cancel": booking.status in Booking.SEAT_TAKING and booking.event.starts_at > now,
        },
    )


@login_required
def calendar(request: HttpRequest, reference: str) -> HttpResponse:
    """The booking as an .ics file; with the exact address once the booking is confirmed."""
    booking = _own_booking(request, reference)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(booking.event.title) or 'event'}-{booking.reference}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """GET says whether the guest gets money back; POST cancels."""
    booking = _own_booking(request, reference)
    if booking.status not in Booking.SEAT_TAKING:
        return redirect(booking)
    refund_due = booking.status == Booking.Status.CONFIRMED and services.booking_refund_due(
        booking=booking
    )
    if request.method == "POST":
        try:
            services.booking_cancel(booking_id=booking.pk, guest=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(booking)
        if refund_due:
            messages.success(request, _("Your booking is cancelled. We are refunding your card."))
        else:
            messages.success(request, _("Your booking is cancelled."))
        return redirect(booking)
    return render(
        request,
        "bookings/cancel.html",
        {"booking": booking, "event": booking.event, "refund_due": refund_due},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The guest's bookings, with the address of confirmed ones."""
    bookings = list(selectors.bookings_of_guest(guest=request.user))
    return render(request, "bookings/mine.html", {"bookings": bookings})


@login_required
def guests(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's guest list of one event, with the money raised. 404 for anyone else."""
    event = get_object_or_404(
        Event.objects.select_related("city", "commune"), pk=pk, host=request.user
    )
    return render(
        request,
        "bookings/guests.html",
        {
            "event": event,
            "bookings": list(selectors.event_guest_list(event=event)),
            "money": selectors.event_money_raised(event=event),
        },
    )
