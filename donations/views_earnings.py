"""A host's Earnings page and payout details. Only the host sees theirs; anyone else gets 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.models import Event

from . import selectors_money, services_payouts
from .forms import PayoutDetailsForm
from .models import PayoutDetails


def _host_or_404(request: HttpRequest):
    user = request.user
    if not user.is_authenticated or not Event.objects.filter(host=user).exists():
        raise Http404
    return user


def earnings(request: HttpRequest) -> HttpResponse:
    """Pending, payable, paid out and deductions, per event and in total."""
    host = _host_or_404(request)
    earnings = selectors_money.host_earnings(host=host)
    context = {
        "earnings": earnings,
        "deduction_due_cents": -earnings.deduction_cents,
        "details": PayoutDetails.objects.filter(user=host).first(),
        "settings_delay": settings.HOST_PAYOUT_DELAY_DAYS,
    }
    return render(request, "donations/earnings.html", context)


@require_http_methods(["GET", "POST"])
def payout_details(request: HttpRequest) -> HttpResponse:
    """Add or change the account holder and IBAN; the password confirms the change."""
    host = _host_or_404(request)
    details = PayoutDetails.objects.filter(user=host).first()
    status = 200
    if request.method == "POST":
        form = PayoutDetailsForm(request.POST)
        if form.is_valid():
            try:
                services_payouts.payout_details_save(
                    user=host,
                    holder_name=form.cleaned_data["holder_name"],
                    iban=form.cleaned_data["iban"],
                    password=form.cleaned_data["password"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your payout details are saved."))
                return redirect("earnings:index")
        status = 400
    else:
        form = PayoutDetailsForm(initial={"holder_name": details.holder_name if details else ""})
    return render(
        request,
        "donations/payout_details.html",
        {"form": form, "details": details},
        status=status,
    )
