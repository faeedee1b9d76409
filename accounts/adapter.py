"""django-allauth, in Meetsies' voice: its emails come from ``settings.SITE_NAME`` and link to
``settings.SITE_URL`` (never the sites framework's "example.com" nor the host a request happened
to use), and are built by ``meetsies.mail`` like every other email (text + HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.template.loader import render_to_string

from meetsies.mail import email_build, email_context


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's templates call ``current_site``: our name and the domain of SITE_URL."""

    name: str
    domain: str


def site_identity() -> SiteIdentity:
    return SiteIdentity(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def site_absolute(url: str) -> str:
    """``url`` (absolute on whatever host, or a path) as an address on SITE_URL."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    path += f"#{parts.fragment}" if parts.fragment else ""
    return f"{settings.SITE_URL}{path}"


def _is_absolute_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with the site's name, links and multipart emails."""

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_absolute(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return site_absolute(super().get_reset_password_from_key_url(key))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Every link allauth puts in an email (sign-up, reset, …) points at SITE_URL.
        links = {key: site_absolute(v) for key, v in context.items() if _is_absolute_url(v)}
        ctx = {"email": email, "current_site": site_identity(), **context, **links}
        self.render_mail(template_prefix, email, ctx).send()

    def render_mail(self, template_prefix: str, email, context: dict, headers=None):
        """Subject from ``<prefix>_subject.txt``; body from ``<prefix>_message.txt`` and, for
        the HTML part, ``<prefix>_message.html`` or the text inside the site's email design."""
        to = [email] if isinstance(email, str) else list(email)
        context = email_context({"current_site": site_identity(), **context})
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        return email_build(
            to=to,
            subject=self.format_email_subject(" ".join(subject.split())),
            template=f"{template_prefix}_message",
            context=context,
            from_email=self.get_from_email(),
            headers=headers,
        )
