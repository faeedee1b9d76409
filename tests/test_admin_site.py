import pytest
from django.urls import reverse

from .factories import UserFactory


@pytest.mark.django_db
def test_signed_in_non_staff_get_404_on_admin_pages(client):
    client.force_login(UserFactory())
    for url in (reverse("admin:index"), reverse("admin:donations_fund_changelist")):
        assert client.get(url, follow=True).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_staff_reach_the_admin(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 200
