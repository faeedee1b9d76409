import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_unknown_url_gets_friendly_404(client):
    response = client.get("/en/this-page-does-not-exist/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_health_check_touches_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"ok": True}
