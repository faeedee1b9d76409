"""The newsletter sign-up form for any page (the footer), and the privacy policy version."""

from django import template

from accounts.newsletter_forms import NewsletterSubscribeForm
from accounts.newsletter_services import PRIVACY_POLICY_VERSION

register = template.Library()


@register.inclusion_tag("newsletter/_signup_form.html")
def newsletter_signup_form(form=None, compact=True):
    """``{% newsletter_signup_form %}``: an unbound form with ids unique on the page."""
    return {
        "form": form or NewsletterSubscribeForm(auto_id="footer-newsletter-%s"),
        "compact": compact,
    }


@register.simple_tag
def privacy_policy_version() -> str:
    return PRIVACY_POLICY_VERSION
