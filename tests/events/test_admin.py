"""Every model has a working admin list with search and filters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import NewsletterSubscription, Profile, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("events_city", {"q": "Bru"}),
        ("events_commune", {"q": "Ixe"}),
        ("events_event", {"q": "host@example.org", "status__exact": "published"}),
        ("events_event", {"kind__exact": "dinner"}),
        ("accounts_user", {"q": "host"}),
        ("accounts_profile", {"q": "host"}),
        ("accounts_newslettersubscription", {"q": "reader", "status__exact": "pending"}),
    ],
)
def test_admin_changelists_render_with_search_and_filters(admin_client, event, model, params):
    Profile.objects.get_or_create(user=event.host, defaults={"display_name": "Hana"})
    NewsletterSubscription.objects.create(
        email="reader@example.org", consent_given_at=timezone.now(), consent_policy_version="1"
    )
    url = reverse(f"admin:{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, params).status_code == 200


def test_event_admin_lists_and_finds_by_host_email(admin_client, event):
    response = admin_client.get(reverse("admin:events_event_changelist"), {"q": "host@example"})
    html = response.content.decode()
    assert event.title in html
    assert "0 / 8" in html


def test_event_change_and_city_with_communes_render(admin_client, event):
    assert (
        admin_client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    )
    response = admin_client.get(reverse("admin:events_city_change", args=[event.city_id]))
    assert response.status_code == 200
    assert "Ixelles" in response.content.decode()


def test_admin_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "usable_password": "true",
            "password1": "a-long-Password-123",
            "password2": "a-long-Password-123",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(email="new@example.org").check_password("a-long-Password-123")


def test_newsletter_consent_fields_are_read_only(admin_client):
    sub = NewsletterSubscription.objects.create(
        email="reader@example.org", consent_given_at=timezone.now(), consent_policy_version="1"
    )
    response = admin_client.get(
        reverse("admin:accounts_newslettersubscription_change", args=[sub.pk])
    )
    form = response.context["adminform"].form
    assert "consent_given_at" not in form.fields
    assert "consent_policy_version" not in form.fields
