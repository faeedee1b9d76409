"""Pages worth sharing: Open Graph and Twitter tags, canonical and hreflang links, the share
button, the impact card, sitemap.xml and robots.txt."""

import io
import re
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events.models import Event, Kind
from tests.factories import EventFactory, ProfileFactory

from .helpers import booking, past_event

pytestmark = pytest.mark.django_db

SITE = "https://meetsies.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def _meta(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html)
    )


def test_event_page_has_share_tags_with_the_kinds_png_placeholder(client, host, ixelles):
    event = EventFactory(host=host, commune=ixelles, kind=Kind.BOARD_GAMES, title="Catan & co")
    html = client.get(f"/fr{event.get_absolute_url()[3:]}").content.decode()
    meta = _meta(html)
    assert meta["og:title"] == "Catan &amp; co"
    assert meta["og:url"] == f"{SITE}/fr/events/{event.pk}/"
    assert meta["og:image"] == f"{SITE}/static/img/og/event-placeholder-board-games.png"
    assert meta["og:locale"] == "fr_BE"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:description"].startswith("Home-made food")
    assert f'<link rel="canonical" href="{SITE}/fr/events/{event.pk}/">' in html
    for code in ("en", "fr", "nl"):
        assert f'hreflang="{code}" href="{SITE}/{code}/events/{event.pk}/"' in html
    png = client.get("/static/img/og/event-placeholder-board-games.png")
    assert png.status_code == 200
    image = Image.open(io.BytesIO(b"".join(png.streaming_content)))
    assert image.size == (1200, 630)


def test_event_with_a_photo_shares_the_photo(client, host, ixelles):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    event = EventFactory(
        host=host, commune=ixelles, photo=SimpleUploadedFile("dinner.png", buffer.getvalue())
    )
    meta = _meta(client.get(event.get_absolute_url()).content.decode())
    assert meta["og:image"] == SITE + event.photo.url
    assert "og:image:width" not in meta


def test_host_and_impact_pages_have_share_tags(client, host):
    ProfileFactory(user=host, display_name="Hana's kitchen", bio="Syrian food at home.")
    meta = _meta(client.get(reverse("accounts:host", kwargs={"user_id": host.pk})).content.decode())
    assert meta["og:title"] == "Hana&#x27;s kitchen"
    assert meta["og:description"] == "Syrian food at home."
    meta = _meta(client.get("/nl/impact/").content.decode())
    assert meta["og:image"] == f"{SITE}/nl/impact/card.png"


def test_impact_card_is_a_png_with_the_laptops(client):
    response = client.get("/en/impact/card.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


def test_share_button_uses_an_external_script_only(client, event):
    html = client.get(event.get_absolute_url()).content.decode()
    button = re.search(r'<div class="share">.*?</div>', html, re.S).group(0)
    assert f'data-share-url="{SITE}/en/events/{event.pk}/"' in button
    assert '<script src="/static/js/share.js" defer></script>' in button
    assert "onclick" not in button and "style=" not in button
    assert client.get("/static/js/share.js").status_code == 200


def test_sitemap_lists_public_pages_in_three_languages(client, host, ixelles):
    public = EventFactory(host=host, commune=ixelles)
    done = past_event(host=host, commune=ixelles)
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [
        element.text
        for element in ElementTree.fromstring(response.content).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    for code in ("en", "fr", "nl"):
        assert f"http://testserver/{code}/events/{public.pk}/" in locations
        assert f"http://testserver/{code}/events/{done.pk}/" in locations
        assert f"http://testserver/{code}/hosts/{host.pk}/" in locations
        assert f"http://testserver/{code}/impact/" in locations
    assert not any(f"/events/{draft.pk}/" in location for location in locations)
    assert b'hreflang="x-default"' in response.content


def test_robots_txt_points_to_the_sitemap_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in body
    assert "Disallow: /fr/bookings/" in body
    assert "Disallow: /en/messages/" in body
    assert "Disallow: /en/events/\n" not in body


def test_impact_page_has_the_share_button(client):
    html = client.get("/en/impact/").content.decode()
    assert f'data-share-url="{SITE}/en/impact/"' in html


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_community_pages_answer_in_every_language(client, lang, attended, host):
    from community import services

    client.force_login(attended.guest)
    assert client.get(f"/{lang}/reviews/write/{attended.reference}/").status_code == 200
    review = services.review_create(
        booking_id=attended.pk, author=attended.guest, rating=5, text="Top"
    )
    upcoming_booking = booking(event=EventFactory(host=host), guest=attended.guest)
    thread = client.get(f"/{lang}/messages/booking/{upcoming_booking.reference}/")
    assert thread["Location"].startswith(f"/{lang}/messages/")
    for url in (thread["Location"], f"/{lang}/messages/", f"/{lang}/hosts/{host.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in response.content.decode()
    client.force_login(host)
    for url in (
        f"/{lang}/reviews/{review.pk}/reply/",
        f"/{lang}/attendance/{attended.event_id}/",
        f"/{lang}/announce/{upcoming_booking.event_id}/",
    ):
        assert client.get(url).status_code == 200, url
