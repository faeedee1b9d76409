"""A person's public name is chosen, never derived from their email (issue 11, a new host)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Profile
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Password-123"


def _signup(client, **data):
    return client.post(
        reverse("account_signup"),
        {
            "email": "newhost-09bc5b@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **data,
        },
    )


def test_signup_asks_for_the_public_name_and_keeps_it(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="display_name"' in page
    assert _signup(client, display_name="  Nour  ").status_code == 302
    user = get_user_model().objects.get(email="newhost-09bc5b@example.org")
    assert user.profile.display_name == "Nour"
    assert user.display_name == "Nour"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("newhost@example.org", "Choose a name, not an email address"),
    ],
)
def test_signup_without_a_proper_name_is_refused_and_saves_nothing(client, name, message):
    response = _signup(client, display_name=name)
    assert response.status_code == 200  # allauth re-renders its form with the errors
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(email="newhost-09bc5b@example.org").exists()


def test_a_user_without_a_name_is_a_neutral_member_never_their_email():
    user = UserFactory(email="newhost-09bc5b@example.org", first_name="")
    assert user.display_name == "Meetsies member"
    assert "newhost" not in str(user)


def test_host_page_never_shows_the_email_local_part(client):
    user = UserFactory(email="newhost-09bc5b@example.org", first_name="")
    event = EventFactory(host=user)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "newhost" not in html
    assert "Hosted by" in html


def test_publishing_needs_a_public_name_and_the_preview_asks_for_it(client):
    host = UserFactory(email="newhost-09bc5b@example.org", first_name="")
    draft = EventFactory(host=host, status="draft", published_at=None)
    client.force_login(host)
    preview = client.get(reverse("events:preview", kwargs={"pk": draft.pk})).content.decode()
    assert 'name="display_name"' in preview

    response = client.post(reverse("events:publish", kwargs={"pk": draft.pk}), follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "Choose the name guests will see before you publish" in response.content.decode()

    response = client.post(
        reverse("events:publish", kwargs={"pk": draft.pk}), {"display_name": "me@example.org"}
    )
    assert response.status_code == 400
    assert "not an email address" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not Profile.objects.filter(user=host).exclude(display_name="").exists()

    client.post(reverse("events:publish", kwargs={"pk": draft.pk}), {"display_name": "Nour"})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert Profile.objects.get(user=host).display_name == "Nour"


def test_preview_nudges_for_a_profile_photo_a_bio_and_an_event_photo(client):
    host = UserFactory(first_name="Nour")
    draft = EventFactory(host=host, status="draft", published_at=None)
    client.force_login(host)
    html = client.get(reverse("events:preview", kwargs={"pk": draft.pk})).content.decode()
    assert reverse("accounts:profile_edit") in html
    assert "Add a photo of yourself and a few words about you" in html
    assert "Add a photo of your table" in html
    assert 'name="display_name"' not in html  # the first name is a chosen name
