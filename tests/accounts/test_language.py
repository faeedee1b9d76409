"""``User.language``: the language a signed-in person last read the site in, kept by
``accounts.middleware.UserLanguageMiddleware`` (the language of the emails they get)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def language_of(user) -> str:
    return User.objects.get(pk=user.pk).language


def updates_of_language(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("UPDATE") and "accounts_user" in q["sql"] and "language" in q["sql"]
    ]


def test_a_new_account_has_the_sites_default_language(user):
    assert user.language == "en"


def test_reading_a_french_page_makes_french_the_users_language(client, user):
    client.force_login(user)
    assert client.get("/fr/").status_code == 200
    assert language_of(user) == "fr"
    client.get("/nl/events/")
    assert language_of(user) == "nl"


def test_the_language_is_written_once_only_when_it_changes(client, user):
    client.force_login(user)
    client.get("/en/")  # warm up: same language, nothing to write

    with CaptureQueriesContext(connection) as same:
        client.get("/en/")
    with CaptureQueriesContext(connection) as changed:
        client.get("/fr/")
    with CaptureQueriesContext(connection) as again:
        client.get("/fr/")

    assert updates_of_language(same.captured_queries) == []
    [update] = updates_of_language(changed.captured_queries)
    assert "email" not in update and "password" not in update  # only the language column
    assert len(changed.captured_queries) == len(same.captured_queries) + 1
    assert updates_of_language(again.captured_queries) == []
    assert len(again.captured_queries) == len(same.captured_queries)


def test_signing_in_on_a_french_page_records_french(client, user):
    response = client.post("/fr/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert language_of(user) == "fr"


def test_pages_without_a_language_prefix_change_nothing(client, user):
    """``set_language`` reads the browser's Accept-Language, which the person did not choose."""
    client.force_login(user)
    client.get("/fr/")
    client.post(
        reverse("set_language"),
        {"language": "nl", "next": "/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert language_of(user) == "fr"


def test_visitors_who_are_not_signed_in_are_fine(client):
    assert client.get("/fr/").status_code == 200
