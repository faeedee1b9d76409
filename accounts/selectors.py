"""Reads of accounts data that are more than a one-liner."""

from django.http import Http404

from .models import User


def host_get_public(*, user_id: int) -> User:
    """An active user for their public host page (with the profile, if any); 404 otherwise."""
    try:
        return User.objects.select_related("profile", "profile__city", "profile__commune").get(
            pk=user_id, is_active=True
        )
    except User.DoesNotExist:
        raise Http404 from None
