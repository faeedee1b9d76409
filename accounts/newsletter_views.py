"""Newsletter pages: sign up, "check your inbox", confirm, and one-click unsubscribe."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from meetsies.ratelimit import rate_limit_exceeded, too_many_requests

from .newsletter_forms import NewsletterSubscribeForm
from .newsletter_services import newsletter_confirm, newsletter_subscribe, newsletter_unsubscribe


# The sign-up form is in every page's footer; a CSRF token there would give every anonymous
# visitor a cookie and defeat the page cache. Forgery gains nothing here: the POST acts for no
# session or account (anyone may post any address themselves), the address must still confirm
# by email (double opt-in), and sign-ups are rate limited per sender and per address.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The same redirect follows every valid sign-up, known address or not."""
    if request.method == "POST":
        form = NewsletterSubscribeForm(request.POST, auto_id="newsletter-%s")
        if form.is_valid():
            email = form.cleaned_data["email"]
            # Each sign-up emails an address we do not know yet: limited per sender and per
            # address (settings.ACCOUNT_RATE_LIMITS["newsletter_subscribe"]).
            if rate_limit_exceeded(request, action="newsletter_subscribe", key=email):
                return too_many_requests(
                    request,
                    message=_(
                        "Too many sign-ups from here or for this address. If you signed up "
                        "already, look for our email in your inbox; otherwise try again in "
                        "an hour."
                    ),
                )
            newsletter_subscribe(email=email, language=get_language())
            return redirect("newsletter:check_inbox")
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = NewsletterSubscribeForm(auto_id="newsletter-%s", initial=initial)
    return render(request, "newsletter/subscribe.html", {"form": form})


@require_GET
def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/check_inbox.html")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms, so link checkers cannot confirm for people."""
    if request.method == "GET":
        return render(request, "newsletter/confirm.html", {"token": token})
    try:
        subscription = newsletter_confirm(token=token)
    except ValidationError as error:
        return render(
            request, "newsletter/link_problem.html", {"error": error, "token": token}, status=400
        )
    return render(request, "newsletter/confirmed.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without a CSRF token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click: opening the link (GET) or the mail client's one-click POST unsubscribes."""
    try:
        subscription = newsletter_unsubscribe(token=token)
    except ValidationError as error:
        return render(request, "newsletter/link_problem.html", {"error": error}, status=400)
    return render(request, "newsletter/unsubscribed.html", {"subscription": subscription})
