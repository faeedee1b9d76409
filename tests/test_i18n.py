"""Three languages: prefixes, browser default, switcher, translated pages, local formats."""

import zoneinfo
from datetime import datetime

import pytest
from django.template import Context, Template
from django.utils.translation import override

from accounts.templatetags.l10n_extras import strip_language_prefix

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_browser_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")
    assert response["Location"] == "/nl/"


def test_root_falls_back_to_english_for_other_browser_languages(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_unprefixed_page_redirects_to_the_same_page_in_the_browser_language(client):
    response = client.get("/privacy/?x=1", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 302
    assert response["Location"] == "/nl/privacy/?x=1"


@pytest.mark.parametrize("path", ["/de/events/", "/es/", "/xx/privacy/"])
def test_unknown_language_prefix_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_french_home_page_speaks_french_with_french_money(client, event):
    response = client.get("/fr/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Rencontrez des gens à leur table" in html
    assert "Trouver un événement" in html
    assert "25,00\xa0€" in html or "25,00 €" in html


def test_dutch_home_page_speaks_dutch(client, event):
    response = client.get("/nl/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Evenement zoeken" in html
    assert "Zo ontvang je gasten" in html


def test_french_error_page_is_translated(client):
    response = client.get("/fr/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Nous n’avons pas trouvé cette page" in response.content.decode()


def test_language_switcher_keeps_the_current_page(client):
    """Plain links to the same page under each language prefix (no form, no CSRF token)."""
    html = client.get("/fr/privacy/?ref=footer").content.decode()
    assert 'action="/i18n/setlang/"' not in html
    assert 'href="/nl/privacy/?ref=footer" hreflang="nl" lang="nl"' in html
    assert 'href="/en/privacy/?ref=footer" hreflang="en" lang="en"' in html
    assert 'lang="fr" title="Français" aria-current="true">FR' in html

    landing = client.get("/nl/privacy/?ref=footer")
    assert landing.status_code == 200
    assert '<html lang="nl">' in landing.content.decode()


@pytest.mark.django_db
def test_anonymous_pages_set_no_csrf_cookie(client):
    """The header and footer of every page carry no CSRF token, so an anonymous visitor gets
    no cookie and the page can be shared by a cache."""
    for path in ("/en/", "/en/events/", "/fr/privacy/", "/en/impact/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "csrftoken" not in response.cookies, path
        assert "csrfmiddlewaretoken" not in response.content.decode(), path


def test_strip_language_prefix_only_strips_site_languages():
    assert strip_language_prefix("/fr/events/?q=1") == "/events/?q=1"
    assert strip_language_prefix("/nl/") == "/"
    assert strip_language_prefix("/en") == "/"
    assert strip_language_prefix("/english-lessons/") == "/english-lessons/"
    assert strip_language_prefix("/de/events/") == "/de/events/"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "jeudi 3 décembre, 19:30"),
        ("nl", "donderdag 3 december, 19:30"),
        ("en", "Thursday 3 December, 19:30"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(language, expected):
    starts = datetime(2026, 12, 3, 19, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))
    template = Template("{% load l10n_extras %}{{ starts|when }}")
    with override(language):
        assert template.render(Context({"starts": starts})) == expected


def test_when_keeps_the_event_city_time_zone():
    # 19:30 in Dublin is 20:30 in Brussels; the filter must not convert to the site's zone.
    starts = datetime(2026, 12, 3, 19, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Dublin"))
    with override("en"):
        rendered = Template("{% load l10n_extras %}{{ starts|when }}").render(
            Context({"starts": starts})
        )
    assert rendered.endswith("19:30")


def test_french_money_filter():
    with override("fr"):
        rendered = Template("{% load money %}{{ cents|money }}").render(Context({"cents": 2500}))
    assert rendered.replace("\xa0", " ") == "25,00 €"


def test_server_error_page_speaks_the_active_language(rf):
    from meetsies.views import server_error

    with override("nl"):
        response = server_error(rf.get("/nl/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="nl">' in html
    assert "Er ging bij ons iets mis" in html


def test_newsletter_errors_are_translated(client):
    response = client.post("/fr/newsletter/", {"email": "pas-une-adresse"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide" in html
    assert "Cochez la case pour accepter" in html


def test_pages_point_to_their_translations(client, settings):
    settings.SITE_URL = "https://meetsies.example"
    html = client.get("/fr/privacy/?ref=1").content.decode()
    site = "https://meetsies.example"
    assert f'<link rel="alternate" hreflang="en" href="{site}/en/privacy/?ref=1">' in html
    assert f'<link rel="alternate" hreflang="nl" href="{site}/nl/privacy/?ref=1">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{site}/en/privacy/?ref=1">' in html
    assert f'<link rel="canonical" href="{site}/fr/privacy/">' in html


def _po_entries(path):
    """(msgid, [msgstr forms], flags) for every live entry of a .po file; a tiny parser."""
    entries, current, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if current is not None:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {"msgid": "", "msgstr": {}, "flags": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            field = "msgid"
            current["msgid"] = line[7:-1]
        elif line.startswith("msgid_plural") or line.startswith("msgctxt"):
            field = None
        elif line.startswith("msgstr"):
            field = line.split(" ", 1)[0]
            current["msgstr"][field] = line.split(" ", 1)[1][1:-1]
        elif line.startswith('"') and field:
            if field == "msgid":
                current["msgid"] += line[1:-1]
            else:
                current["msgstr"][field] += line[1:-1]
    return [e for e in entries if e["msgid"]]


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_catalogue_is_fully_translated(language):
    from django.conf import settings

    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = _po_entries(path)

    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
