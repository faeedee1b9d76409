"""The one way an email is built: a plain-text part and an HTML part in the site's design.

Every sender (bookings, newsletter, allauth through ``accounts.adapter``, donations) calls
``email_build``. It renders ``<template>.txt`` for the plain text and ``<template>.html`` for the
HTML part; an email without its own HTML template gets its plain text set inside
``emails/base.html`` (the site's colours, inline CSS, no remote images, links made clickable),
so no sender can forget the HTML part. Both parts see ``site_name`` and ``site_url``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

GENERIC_HTML_TEMPLATE = "emails/base_text.html"


def email_context(context: dict[str, Any] | None = None) -> dict[str, Any]:
    """``context`` with what every email template may use: the site's name and address."""
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
        **(context or {}),
    }


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The plain text and the HTML of ``template`` (a name without extension), in the active
    language. The HTML is ``<template>.html`` if it exists, else the text inside the base."""
    context = email_context(context)
    text = render_to_string(f"{template}.txt", context).strip() + "\n"
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = render_to_string(
            GENERIC_HTML_TEMPLATE, {**context, "text": text, "title": context.get("subject", "")}
        )
    return text, html


def email_build(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """A multipart email (text + HTML) to ``to``; the caller attaches files and sends it.

    Renders in the active language: wrap the call in ``translation.override`` for the
    recipient's. ``subject`` is used as given (one line).
    """
    subject = " ".join(str(subject).split())
    text, html = email_render(template=template, context={**(context or {}), "subject": subject})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
