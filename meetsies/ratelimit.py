"""One rate-limit mechanism for the whole site: allauth's, configured in
``settings.ACCOUNT_RATE_LIMITS`` and counted in the cache (Redis on the real stack).

allauth applies its own actions (``login_failed``, ``signup``, …) itself; our views that make
something outside our database (a Stripe object, an email to a new address) consume theirs
through ``rate_limit_exceeded`` and answer ``too_many_requests``.
"""

from allauth.core import ratelimit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def rate_limit_exceeded(request: HttpRequest, *, action: str, key: str | None = None) -> bool:
    """Count one use of ``action`` for this request; True if that goes over a configured rate.

    ``key`` is what rates ``…/key`` count per (an email address, a booking reference). Uses
    that stay under the limits are recorded; one over it is not.
    """
    return not ratelimit.consume(request, action=action, key=key)


def too_many_requests(request: HttpRequest, *, message: str = "") -> HttpResponse:
    """The 429 page (``templates/429.html``, also allauth's) with ``message`` on it."""
    return render(request, "429.html", {"message": message}, status=429)
