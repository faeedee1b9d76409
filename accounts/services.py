"""Every write to accounts' own data (profiles). GDPR export and erasure live elsewhere."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Language, Profile, User


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
