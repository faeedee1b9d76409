"""Reads of accounts data that are more than a one-liner."""

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .models import NewsletterSubscription, Profile, User
from .signals import personal_data_export

EXPORT_FORMAT = "meetsies-personal-data/1"


def host_get_public(*, user_id: int) -> User:
    """An active user for their public host page (with the profile, if any); 404 otherwise."""
    try:
        return User.objects.select_related("profile", "profile__city", "profile__commune").get(
            pk=user_id, is_active=True
        )
    except User.DoesNotExist:
        raise Http404 from None


def user_email_addresses(*, user: User) -> set[str]:
    """Every address ``user`` is known by, lower-cased: the login and allauth's addresses."""
    emails = {user.email.lower()}
    emails.update(
        email.lower()
        for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return emails


def newsletter_subscriptions_for(*, emails: set[str]):
    """Newsletter subscriptions of any of ``emails`` (compared case-insensitively)."""
    match = Q(pk__in=[])
    for email in emails:
        match |= Q(email__iexact=email)
    return NewsletterSubscription.objects.filter(match).order_by("email")


def _profile_data(profile: Profile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "city": profile.city.name if profile.city else None,
        "commune": profile.commune.name if profile.commune else None,
        "languages": profile.languages,
        "photo": f"{settings.SITE_URL}{profile.photo.url}" if profile.photo else None,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything Meetsies holds about ``user`` (GDPR, right of access), as a JSON-ready dict.

    Accounts' own sections come first; every receiver of ``accounts.signals.personal_data_export``
    adds one section (e.g. events adds the events the user hosts). A receiver that fails makes
    the whole export fail rather than hand out an incomplete copy. Encode the result with
    ``DjangoJSONEncoder`` (it holds datetimes).
    """
    profile = Profile.objects.select_related("city", "commune").filter(user=user).first()
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "language": user.language,
        },
        "profile": _profile_data(profile),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "newsletter": [
            {
                "email": subscription.email,
                "status": subscription.status,
                "language": subscription.language,
                "consent_given_at": subscription.consent_given_at,
                "consent_policy_version": subscription.consent_policy_version,
                "confirmed_at": subscription.confirmed_at,
                "unsubscribed_at": subscription.unsubscribed_at,
                "created_at": subscription.created_at,
            }
            for subscription in newsletter_subscriptions_for(emails=user_email_addresses(user=user))
        ],
    }
    for receiver, response in personal_data_export.send(sender=User, user=user):
        if response is None:
            continue
        section, section_data = response
        if section in data:
            raise ValueError(f"Export section {section!r} from {receiver!r} is already taken.")
        data[section] = section_data
    return data
