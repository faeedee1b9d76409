import pytest
from django.core.exceptions import ValidationError

from accounts.models import Profile
from accounts.services import profile_get_or_create, profile_update

pytestmark = pytest.mark.django_db


def test_profile_is_created_once(user):
    first = profile_get_or_create(user=user)
    second = profile_get_or_create(user=user)
    assert first.pk == second.pk
    assert Profile.objects.filter(user=user).count() == 1


def test_commune_without_city_is_refused(user, ixelles):
    with pytest.raises(ValidationError) as raised:
        profile_update(
            user=user, display_name="A", bio="", city=None, commune=ixelles, languages=[]
        )
    assert raised.value.error_dict["commune"][0].code == "commune_not_in_city"
    assert not Profile.objects.filter(user=user, display_name="A").exists()


def test_update_strips_and_orders_languages(user, brussels, ixelles):
    profile = profile_update(
        user=user,
        display_name="  Sam  ",
        bio=" hi ",
        city=brussels,
        commune=ixelles,
        languages=["ar", "en"],
    )
    assert profile.display_name == "Sam"
    assert profile.bio == "hi"
    assert profile.languages == ["en", "ar"]
