"""The newsletter sign-up form for any page (the footer), and the privacy policy version."""

from django import template

from accounts.newsletter_forms import NewsletterSubscribeForm
from accounts.newsletter_services import PRIVACY_POLICY_VERSION

register = template.Library()


@register.inclusion_tag("newsletter/_signup_form.html", takes_context=True)
def newsletter_signup_form(context, form=None, compact=True):
    """``{% newsletter_signup_form %}``: an unbound form with ids unique on the page, the
    address filled in for a signed-in person (the consent box is never pre-ticked)."""
    if form is None:
        user = getattr(context.get("request"), "user", None)
        initial = {"email": user.email} if user is not None and user.is_authenticated else {}
        form = NewsletterSubscribeForm(auto_id="footer-newsletter-%s", initial=initial)
    return {"form": form, "compact": compact, "request": context.get("request")}


@register.simple_tag
def privacy_policy_version() -> str:
    return PRIVACY_POLICY_VERSION
