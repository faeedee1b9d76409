"""Newsletter subscriptions: double opt-in with recorded consent, and one-click unsubscribe.

Lifecycle of a ``NewsletterSubscription``: pending → confirmed → unsubscribed. A person who
unsubscribed may give consent again; that starts a new cycle (back to pending, with the new
consent's time and policy version) and needs a new confirmation.

Links in emails carry signed tokens (``django.core.signing``): a confirmation token expires
after ``CONFIRM_MAX_AGE`` and is tied to the consent it confirms; an unsubscribe token never
expires, so every email ever sent can still be used to leave.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from meetsies.mail import email_build

from .models import NewsletterSubscription

# The privacy policy's version; shown on the privacy page and stored with every consent.
PRIVACY_POLICY_VERSION = "2026-11"

CONFIRM_SALT = "meetsies.newsletter.confirm"
UNSUBSCRIBE_SALT = "meetsies.newsletter.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
# At most one confirmation email per address in this interval, so the form cannot be used to
# flood someone's inbox.
CONFIRMATION_RESEND_INTERVAL = timedelta(minutes=10)

Status = NewsletterSubscription.Status


def _site_language(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    language = (language or "").split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


def _absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _consent_stamp(subscription: NewsletterSubscription) -> str:
    return subscription.consent_given_at.astimezone(UTC).isoformat()


def newsletter_confirm_token(*, subscription: NewsletterSubscription) -> str:
    """A signed token confirming this subscription's current consent (expires, see module)."""
    return signing.dumps(
        {"id": subscription.pk, "e": subscription.email, "c": _consent_stamp(subscription)},
        salt=CONFIRM_SALT,
        compress=True,
    )


def newsletter_unsubscribe_token(*, subscription: NewsletterSubscription) -> str:
    """A signed token that unsubscribes this address. It does not expire."""
    return signing.dumps(
        {"id": subscription.pk, "e": subscription.email}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def newsletter_unsubscribe_url(*, subscription: NewsletterSubscription) -> str:
    """Absolute one-click unsubscribe URL, in the subscriber's language."""
    token = newsletter_unsubscribe_token(subscription=subscription)
    with translation.override(_site_language(subscription.language)):
        return _absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def newsletter_confirm_url(*, subscription: NewsletterSubscription) -> str:
    """Absolute confirmation URL, in the subscriber's language."""
    token = newsletter_confirm_token(subscription=subscription)
    with translation.override(_site_language(subscription.language)):
        return _absolute_url(reverse("newsletter:confirm", kwargs={"token": token}))


def _load(token: str, *, salt: str, max_age: timedelta | None) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This link has expired. Please sign up again to get a new one."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid."), code="invalid") from None
    if not isinstance(data, dict) or "id" not in data or "e" not in data:
        raise ValidationError(_("This link is not valid."), code="invalid")
    return data


@transaction.atomic
def newsletter_subscribe(*, email: str, language: str, now: datetime | None = None) -> None:
    """Record consent for ``email`` and send it a confirmation link (double opt-in).

    Contract: returns nothing, so callers cannot reveal whether the address was already known.
    - unknown address: a pending subscription with the consent time and policy version;
    - pending: the original consent stands, the confirmation email is sent again;
    - confirmed: nothing changes and nothing is sent (no duplicate);
    - unsubscribed: the new consent starts a new cycle (pending, new consent time and version).
    A confirmation email goes out after commit, at most once per address per
    ``CONFIRMATION_RESEND_INTERVAL``.
    """
    email = email.strip().lower()
    now = now or timezone.now()
    language = _site_language(language)
    subscription = NewsletterSubscription.objects.select_for_update().filter(email=email).first()
    new_consent = subscription is None or subscription.status == Status.UNSUBSCRIBED
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = NewsletterSubscription.objects.create(
                    email=email,
                    status=Status.PENDING,
                    language=language,
                    consent_given_at=now,
                    consent_policy_version=PRIVACY_POLICY_VERSION,
                )
        except IntegrityError:
            # Someone subscribed the same address a moment ago; their request sends the email.
            return
    elif subscription.status == Status.CONFIRMED:
        return
    elif subscription.status == Status.UNSUBSCRIBED:
        subscription.status = Status.PENDING
        subscription.language = language
        subscription.consent_given_at = now
        subscription.consent_policy_version = PRIVACY_POLICY_VERSION
        subscription.confirmed_at = None
        subscription.save(
            update_fields=[
                "status",
                "language",
                "consent_given_at",
                "consent_policy_version",
                "confirmed_at",
            ]
        )

    throttle_key = f"newsletter:confirmation-sent:{email}"
    throttle_seconds = int(CONFIRMATION_RESEND_INTERVAL.total_seconds())
    if new_consent:
        # A fresh consent (only its owner can unsubscribe first) always gets its link.
        cache.set(throttle_key, True, timeout=throttle_seconds)
    if new_consent or cache.add(throttle_key, True, timeout=throttle_seconds):
        subscription_id = subscription.pk
        transaction.on_commit(lambda: newsletter_confirmation_send(subscription_id=subscription_id))


def newsletter_confirmation_send(*, subscription_id: int) -> bool:
    """Email the confirmation link to a pending subscription, in its language.

    Does network I/O: call after commit, never inside a transaction. Returns False (and sends
    nothing) if the subscription is gone or no longer pending.
    """
    subscription = NewsletterSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None or subscription.status != Status.PENDING:
        return False
    with translation.override(_site_language(subscription.language)):
        context = {
            "subscription": subscription,
            "confirm_url": newsletter_confirm_url(subscription=subscription),
            "privacy_url": _absolute_url(reverse("privacy")),
            "expires_days": CONFIRM_MAX_AGE.days,
        }
        subject = render_to_string("emails/newsletter/confirm_subject.txt", context)
        message = email_build(
            to=[subscription.email],
            subject=subject,
            template="emails/newsletter/confirm_body",
            context=context,
        )
    message.send()
    return True


@transaction.atomic
def newsletter_confirm(*, token: str, now: datetime | None = None) -> NewsletterSubscription:
    """Confirm the subscription a confirmation token was issued for.

    Raises ValidationError ``expired`` (older than CONFIRM_MAX_AGE) or ``invalid`` (tampered,
    unknown, or issued for an earlier consent, e.g. before the person unsubscribed).
    Confirming twice is harmless: the second call changes nothing.
    """
    data = _load(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    subscription = (
        NewsletterSubscription.objects.select_for_update()
        .filter(pk=data["id"], email=data["e"])
        .first()
    )
    if subscription is None or data.get("c") != _consent_stamp(subscription):
        raise ValidationError(_("This link is not valid."), code="invalid")
    if subscription.status == Status.CONFIRMED:
        return subscription
    if subscription.status != Status.PENDING:
        raise ValidationError(_("This link is not valid."), code="invalid")
    subscription.status = Status.CONFIRMED
    subscription.confirmed_at = now or timezone.now()
    subscription.save(update_fields=["status", "confirmed_at"])
    return subscription


@transaction.atomic
def newsletter_unsubscribe(*, token: str, now: datetime | None = None) -> NewsletterSubscription:
    """Unsubscribe the address an unsubscribe token was issued for. Idempotent.

    Raises ValidationError ``invalid`` for a tampered or unknown token.
    """
    data = _load(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    subscription = (
        NewsletterSubscription.objects.select_for_update()
        .filter(pk=data["id"], email=data["e"])
        .first()
    )
    if subscription is None:
        raise ValidationError(_("This link is not valid."), code="invalid")
    if subscription.status != Status.UNSUBSCRIBED:
        subscription.status = Status.UNSUBSCRIBED
        subscription.unsubscribed_at = now or timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at"])
    return subscription


def newsletter_message_build(
    *, subscription: NewsletterSubscription, subject: str, body: str
) -> EmailMultiAlternatives:
    """One newsletter email for one subscriber: the body, a one-click unsubscribe link in the
    text and HTML parts, and RFC 2369 / RFC 8058 ``List-Unsubscribe`` headers (one-click POST).
    """
    unsubscribe_url = newsletter_unsubscribe_url(subscription=subscription)
    with translation.override(_site_language(subscription.language)):
        context = {
            "subscription": subscription,
            "subject": subject,
            "body": body,
            "unsubscribe_url": unsubscribe_url,
            "site_url": settings.SITE_URL,
        }
        message = email_build(
            to=[subscription.email],
            subject=subject,
            template="emails/newsletter/issue_body",
            context=context,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    return message


def newsletter_issue_send(*, subject: str, body: str) -> int:
    """Send a newsletter issue to every confirmed subscriber; returns how many were sent.

    Does network I/O: never call inside a transaction. Only confirmed addresses receive it.
    """
    subscriptions = NewsletterSubscription.objects.filter(status=Status.CONFIRMED).order_by("pk")
    messages = [
        newsletter_message_build(subscription=subscription, subject=subject, body=body)
        for subscription in subscriptions.iterator()
    ]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
