"""Content-Security-Policy: django-csp's middleware, plus the Stripe origins read per request.

The fixed part of the policy is ``CONTENT_SECURITY_POLICY`` in settings (our own origin only).
What Stripe.js needs depends on ``STRIPE_JS_URL`` and ``STRIPE_API_BASE``, which differ between
real Stripe, the embedded localstripe and each test's localstripe on a random port; so the
middleware derives those sources from the settings *at request time* instead of freezing them
at import.

- Real Stripe.js (``https://js.stripe.com``): scripts from js.stripe.com, its frames
  (js.stripe.com, hooks.stripe.com for 3-D Secure) and calls to api.stripe.com.
- Any other Stripe.js (localstripe's fake one): scripts from its origin and calls back to it
  (the fake script talks to the server it was loaded from); it draws its card inputs and its
  3-D Secure box in our page, so it needs no frames.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

REAL_STRIPE_JS_ORIGIN = "https://js.stripe.com"
REAL_STRIPE_FRAMES = ("https://js.stripe.com", "https://hooks.stripe.com")
REAL_STRIPE_API = "https://api.stripe.com"


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` ("" for an empty or relative URL)."""
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def stripe_sources() -> dict[str, list[str]]:
    """The CSP sources Stripe.js needs, from the current ``STRIPE_JS_URL``/``STRIPE_API_BASE``."""
    js_origin = origin(settings.STRIPE_JS_URL)
    api_origin = origin(settings.STRIPE_API_BASE)
    sources: dict[str, list[str]] = {"script-src": [], "connect-src": [], "frame-src": []}
    if js_origin:
        sources["script-src"].append(js_origin)
    if js_origin == REAL_STRIPE_JS_ORIGIN:
        sources["frame-src"].extend(REAL_STRIPE_FRAMES)
        sources["connect-src"].append(api_origin or REAL_STRIPE_API)
    else:
        # A stand-in Stripe.js calls the server it came from (and that is the API base too).
        for extra in (js_origin, api_origin):
            if extra and extra not in sources["connect-src"]:
                sources["connect-src"].append(extra)
    return {directive: values for directive, values in sources.items() if values}


class StripeAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Stripe sources added to every response's policy.

    A view's own ``@csp_update`` still applies: both updates are merged.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = {
            key: [value] if isinstance(value, str) else list(value)
            for key, value in (parts.update or {}).items()
            if value is not None
        }
        for directive, values in stripe_sources().items():
            update[directive] = [*update.get(directive, []), *values]
        parts.update = update
        return parts
