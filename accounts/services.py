"""Every write to accounts' own data: profiles and GDPR erasure (the export is a read, in
``accounts.selectors``)."""

from typing import Literal

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ERASED_EMAIL_DOMAIN, Language, Profile, User
from .selectors import newsletter_subscriptions_for, user_email_addresses
from .signals import erasure_blockers, user_erasing


@transaction.atomic
def profile_get_or_create(*, user: User) -> Profile:
    """The user's profile, created empty the first time it is needed."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    city,
    commune,
    languages: list[str],
    photo: UploadedFile | Literal[False] | None = None,
) -> Profile:
    """Change what ``user`` shows of themselves.

    ``photo``: a new upload replaces the photo, ``False`` removes it, ``None`` keeps it.
    Raises ``ValidationError`` keyed by field: ``commune_not_in_city`` when the commune is not
    in the chosen city (or a commune is given without a city), ``unknown_language``.
    """
    errors: dict[str, ValidationError] = {}
    if commune is not None and (city is None or commune.city_id != city.pk):
        errors["commune"] = ValidationError(
            _("Choose a commune of your city."), code="commune_not_in_city"
        )
    unknown = sorted(set(languages) - set(Language.values))
    if unknown:
        errors["languages"] = ValidationError(
            _("Unknown language: %(codes)s."),
            code="unknown_language",
            params={"codes": ", ".join(unknown)},
        )
    if errors:
        raise ValidationError(errors)

    profile = Profile.objects.select_for_update().get(pk=profile_get_or_create(user=user).pk)
    profile.display_name = display_name.strip()
    profile.bio = bio.strip()
    profile.city = city
    profile.commune = commune
    profile.languages = [code for code in Language.values if code in set(languages)]
    if photo:
        profile.photo = photo
    elif photo is False:
        profile.photo = ""
    profile.full_clean()
    profile.save()
    return profile


def display_name_validate(display_name: str) -> str:
    """The name stripped, or ``ValidationError``: ``display_name_required`` when empty,
    ``display_name_email`` when it looks like an email address (a name must not leak one)."""
    name = " ".join(display_name.split())
    if not name:
        raise ValidationError(
            _("Choose the name guests and hosts will see."), code="display_name_required"
        )
    if "@" in name:
        raise ValidationError(
            _("Choose a name, not an email address: everyone can see it."),
            code="display_name_email",
        )
    if len(name) > 60:
        raise ValidationError(_("Keep the name under 60 characters."), code="display_name_too_long")
    return name


@transaction.atomic
def profile_set_display_name(*, user: User, display_name: str) -> Profile:
    """Set the public name of ``user`` (at sign-up, before a first publish). Raises
    ``ValidationError`` from ``display_name_validate``; then nothing is saved."""
    name = display_name_validate(display_name)
    profile = Profile.objects.select_for_update().get(pk=profile_get_or_create(user=user).pk)
    profile.display_name = name
    profile.save(update_fields=["display_name", "updated_at"])
    user.profile = profile
    return profile


def user_erasure_blockers(*, user: User) -> list[str]:
    """Why ``user`` cannot erase their account right now (empty: nothing stops it).

    Asks every receiver of ``accounts.signals.erasure_blockers`` (events objects while the user
    hosts upcoming events).
    """
    reasons: list[str] = []
    for _receiver, response in erasure_blockers.send(sender=User, user=user):
        reasons.extend(str(reason) for reason in response or [])
    return reasons


def _delete_file_quietly(storage: Storage, name: str) -> None:
    # After commit: a file deleted inside a rolled-back erasure could not be brought back.
    if name and storage.exists(name):
        storage.delete(name)


@transaction.atomic
def user_erase(*, user_id: int) -> User:
    """Erase a person's account (GDPR, right to erasure) and return the anonymised user.

    Takes the user row lock. Raises ``ValidationError`` whose errors (code ``erasure_blocked``)
    are the reasons while another app objects, and then changes nothing.
    Otherwise: the email becomes ``erased-<pk>@erased.invalid``, names and profile are cleared,
    allauth's email addresses and the newsletter subscriptions of every address the person used
    are deleted, the password becomes unusable (every other session of theirs ends) and the
    account inactive, staff rights are dropped. Then ``user_erasing`` lets other apps scrub
    their rows in the same transaction. Rows that must be kept (bookings, payments, the ledger)
    stay and point at the anonymised user. The profile photo file is deleted after commit.
    Calling it again for an erased account does nothing.
    """
    user = User.objects.select_for_update().get(pk=user_id)
    if user.is_erased and not user.is_active:
        return user
    reasons = user_erasure_blockers(user=user)
    if reasons:
        raise ValidationError(
            [ValidationError(reason, code="erasure_blocked") for reason in reasons]
        )

    newsletter_subscriptions_for(emails=user_email_addresses(user=user)).delete()
    EmailAddress.objects.filter(user=user).delete()

    profile = Profile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        if profile.photo:
            storage, name = profile.photo.storage, profile.photo.name
            transaction.on_commit(lambda: _delete_file_quietly(storage, name))
        profile.display_name = ""
        profile.bio = ""
        profile.city = None
        profile.commune = None
        profile.languages = []
        profile.photo = ""
        profile.save()

    user.email = f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    user.first_name = ""
    user.last_name = ""
    user.last_login = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    user_erasing.send(sender=User, user_id=user.pk)
    return user
