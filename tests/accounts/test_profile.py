"""Profile editing and the public host page."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from events.models import Event
from tests.events.helpers import fake_image_upload, png_upload
from tests.factories import CityFactory, CommuneFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

EDIT_URL = "/en/profile/"


def payload(brussels, ixelles, **overrides):
    data = {
        "display_name": "Hana B.",
        "bio": "I cook Lebanese food.",
        "city": str(brussels.pk),
        "commune": str(ixelles.pk),
        "languages": ["ar", "fr"],
    }
    data.update(overrides)
    return data


def test_profile_edit_url():
    with translation.override("en"):
        assert reverse("accounts:profile_edit") == EDIT_URL


def test_profile_edit_needs_login(client):
    response = client.get(EDIT_URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_profile_is_created_lazily_and_saved(client, host, brussels, ixelles):
    assert not Profile.objects.filter(user=host).exists()
    client.force_login(host)
    assert client.get(EDIT_URL).status_code == 200
    assert Profile.objects.filter(user=host).exists()

    response = client.post(EDIT_URL, payload(brussels, ixelles, photo=png_upload()))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:host", kwargs={"user_id": host.pk})
    profile = Profile.objects.get(user=host)
    assert profile.display_name == "Hana B."
    assert profile.commune == ixelles
    assert profile.languages == ["fr", "ar"]  # in the list's order
    assert profile.photo.name.endswith(".png")
    host.refresh_from_db()
    assert host.display_name == "Hana B."


def test_photo_can_be_kept_and_removed(client, host, brussels, ixelles):
    client.force_login(host)
    client.post(EDIT_URL, payload(brussels, ixelles, photo=png_upload()))
    client.post(EDIT_URL, payload(brussels, ixelles, bio="New bio"))
    profile = Profile.objects.get(user=host)
    assert profile.bio == "New bio"
    assert profile.photo
    client.post(EDIT_URL, payload(brussels, ixelles, **{"photo-clear": "on"}))
    profile.refresh_from_db()
    assert not profile.photo


def _assert_rejected(response, field, message, host):
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in errors[field][0]
    assert f'id="id_{field}_error"' in response.content.decode()
    profile = Profile.objects.filter(user=host).first()
    assert profile is None or profile.display_name == ""


def test_commune_must_be_in_the_city(client, host, brussels):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    howth = CommuneFactory(city=dublin, name="Howth")
    client.force_login(host)
    response = client.post(EDIT_URL, payload(brussels, howth))
    _assert_rejected(response, "commune", "Choose a commune of your city.", host)


def test_non_image_upload_is_rejected(client, host, brussels, ixelles):
    client.force_login(host)
    response = client.post(EDIT_URL, payload(brussels, ixelles, photo=fake_image_upload()))
    _assert_rejected(response, "photo", "Upload a valid image", host)


def test_oversized_photo_is_rejected(client, host, brussels, ixelles, settings):
    settings.PROFILE_PHOTO_MAX_BYTES = 20
    client.force_login(host)
    response = client.post(EDIT_URL, payload(brussels, ixelles, photo=png_upload()))
    _assert_rejected(response, "photo", "too large", host)


def test_unknown_language_is_rejected(client, host, brussels, ixelles):
    client.force_login(host)
    response = client.post(EDIT_URL, payload(brussels, ixelles, languages=["klingon"]))
    _assert_rejected(response, "languages", "Select a valid choice", host)


def test_too_long_display_name_is_rejected(client, host, brussels, ixelles):
    client.force_login(host)
    response = client.post(EDIT_URL, payload(brussels, ixelles, display_name="x" * 61))
    _assert_rejected(response, "display_name", "at most 60 characters", host)


def test_host_page_shows_profile_and_upcoming_published_events(client, host, ixelles):
    Profile.objects.create(
        user=host,
        display_name="<script>alert(1)</script>Hana",
        bio="Cook.\n<b>bold</b>",
        city=ixelles.city,
        commune=ixelles,
        languages=["fr", "ar"],
    )
    EventFactory(host=host, commune=ixelles, title="Published dinner")
    EventFactory(host=host, commune=ixelles, title="Secret draft", status=Event.Status.DRAFT)
    EventFactory(host=host, commune=ixelles, title="Called off", status=Event.Status.CANCELLED)
    EventFactory(commune=ixelles, title="Another host's dinner")

    response = client.get(reverse("accounts:host", kwargs={"user_id": host.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Published dinner" in html
    assert "Secret draft" not in html
    assert "Called off" not in html
    assert "Another host" not in html
    assert "Ixelles, Brussels" in html
    assert "French, Arabic" in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Hana" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_host_page_works_without_a_profile(client, host):
    response = client.get(reverse("accounts:host", kwargs={"user_id": host.pk}))
    assert response.status_code == 200
    assert "Hana" in response.content.decode()


def test_host_page_of_unknown_or_inactive_user_is_404(client, db):
    assert client.get(reverse("accounts:host", kwargs={"user_id": 999})).status_code == 404
    inactive = UserFactory(is_active=False)
    assert client.get(reverse("accounts:host", kwargs={"user_id": inactive.pk})).status_code == 404
