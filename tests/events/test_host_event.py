"""Hosting: create a draft, preview, publish, edit after publishing, and every bad input."""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.factories import CityFactory, CommuneFactory

from .helpers import event_payload, fake_image_upload, png_upload

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


@pytest.fixture
def host_client(client, host):
    client.force_login(host)
    return client


def test_create_needs_login(client):
    response = client.get(reverse("events:create"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_host_creates_draft_previews_and_publishes(host_client, host, ixelles, brussels):
    payload = event_payload(city=brussels, commune=ixelles)
    response = host_client.post(reverse("events:create"), payload)

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:preview", kwargs={"pk": event.pk})
    assert event.host == host
    assert event.status == Event.Status.DRAFT
    assert event.contribution_cents == 2550
    assert event.pledge_percent == 40
    assert event.capacity == 8
    assert event.dietary_options == ["vegetarian", "halal"]
    assert event.languages == ["fr", "en"]
    # Entered 19:00 in Brussels: stored aware, 19:00 on the Brussels clock.
    assert timezone.localtime(event.starts_at, BRUSSELS).hour == 19
    # No cancellation deadline entered: 48 hours before the start.
    assert event.cancellation_deadline == event.starts_at - timedelta(hours=48)

    # Not on the public list while a draft.
    assert event.title not in host_client.get(reverse("events:list")).content.decode()

    preview = host_client.get(reverse("events:preview", kwargs={"pk": event.pk}))
    assert preview.status_code == 200
    assert "Couscous night" in preview.content.decode()
    assert reverse("events:publish", kwargs={"pk": event.pk}) in preview.content.decode()

    response = host_client.post(reverse("events:publish", kwargs={"pk": event.pk}))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.published_at is not None
    assert "Couscous night" in host_client.get(reverse("events:list")).content.decode()


def test_times_are_entered_in_the_city_time_zone(host_client):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    rathmines = CommuneFactory(city=dublin, name="Rathmines")
    payload = event_payload(city=dublin, commune=rathmines)
    host_client.post(reverse("events:create"), payload)
    event = Event.objects.get()
    local = timezone.localtime(event.starts_at, zoneinfo.ZoneInfo("Europe/Dublin"))
    assert local.strftime("%Y-%m-%dT%H:%M") == payload["starts_at"]
    # The detail page shows the Dublin wall clock, not Brussels'.
    page = host_client.get(reverse("events:preview", kwargs={"pk": event.pk})).content.decode()
    assert local.strftime("%H:%M") in page


def test_whole_euro_contribution_and_free_event(host_client, brussels, ixelles):
    host_client.post(
        reverse("events:create"),
        event_payload(city=brussels, commune=ixelles, contribution="25", pledge_percent="0"),
    )
    assert Event.objects.get().contribution_cents == 2500
    Event.objects.all().delete()
    host_client.post(
        reverse("events:create"), event_payload(city=brussels, commune=ixelles, contribution="0")
    )
    assert Event.objects.get().contribution_cents == 0


def test_explicit_cancellation_deadline_is_kept(host_client, brussels, ixelles):
    payload = event_payload(city=brussels, commune=ixelles)
    payload["cancellation_deadline"] = payload["booking_deadline"]
    host_client.post(reverse("events:create"), payload)
    event = Event.objects.get()
    assert event.cancellation_deadline == event.booking_deadline


def test_photo_upload_is_saved(host_client, brussels, ixelles):
    payload = event_payload(city=brussels, commune=ixelles, photo=png_upload())
    response = host_client.post(reverse("events:create"), payload)
    assert response.status_code == 302
    assert Event.objects.get().photo.name.endswith(".png")


def _past(days=1):
    return (timezone.localtime() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


BAD_INPUTS = [
    ("start in the past", {"starts_at": None}, "starts_at", "The start must be in the future."),
    ("end before start", {"ends_at": "START-1h"}, "ends_at", "The end must be after the start."),
    ("end equal to start", {"ends_at": "START"}, "ends_at", "The end must be after the start."),
    ("booking deadline after start", {"booking_deadline": "START+1h"}, "booking_deadline",
     "The booking deadline must be at or before the start."),
    ("capacity 0", {"capacity": "0"}, "capacity", "greater than or equal to 1"),
    ("capacity 1000", {"capacity": "1000"}, "capacity", "less than or equal to 50"),
    ("negative price", {"contribution": "-5"}, "contribution", "greater than or equal to 0"),
    ("absurd price", {"contribution": "100000"}, "contribution", "less than or equal to 500"),
    ("price with fractions of cents", {"contribution": "25.555"}, "contribution", "2 decimal places"),
    ("price that is not a number", {"contribution": "lots"}, "contribution", "Enter a number."),
    ("pledge 101", {"pledge_percent": "101"}, "pledge_percent", "less than or equal to 100"),
    ("negative pledge", {"pledge_percent": "-1"}, "pledge_percent", "greater than or equal to 0"),
    ("missing title", {"title": ""}, "title", "This field is required."),
    ("unknown kind", {"kind": "rave"}, "kind", "Select a valid choice."),
    ("unknown dietary option", {"dietary_options": ["carnivore"]}, "dietary_options", "Select a valid choice."),
]  # fmt: skip


def _resolve(payload, overrides):
    start = timezone.datetime.strptime(payload["starts_at"], "%Y-%m-%dT%H:%M")
    resolved = {}
    for key, value in overrides.items():
        if value is None:
            value = _past()
        elif value == "START":
            value = payload["starts_at"]
        elif value == "START-1h":
            value = (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        elif value == "START+1h":
            value = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        resolved[key] = value
    return resolved


@pytest.mark.parametrize(
    ("case", "overrides", "field", "message"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_shows_a_message_next_to_the_field_and_saves_nothing(
    host_client, brussels, ixelles, case, overrides, field, message
):
    payload = event_payload(city=brussels, commune=ixelles)
    payload.update(_resolve(payload, overrides))
    response = host_client.post(reverse("events:create"), payload)

    assert response.status_code == 400
    assert Event.objects.count() == 0
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert any(message in error for error in form.errors[field])
    html = response.content.decode()
    # The message is rendered in the field's own error list, right after its input.
    assert f'id="id_{field}_error"' in html
    assert "Nothing was saved" in html


def test_commune_of_another_city_is_rejected(host_client, brussels, ixelles):
    dublin = CityFactory(name="Dublin", slug="dublin", timezone="Europe/Dublin", country="IE")
    howth = CommuneFactory(city=dublin, name="Howth")
    response = host_client.post(
        reverse("events:create"), event_payload(city=brussels, commune=howth)
    )
    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert response.context["form"].errors["commune"] == [
        "Howth is not in Brussels. Choose a commune of the city."
    ]
    assert 'id="id_commune_error"' in response.content.decode()


def test_oversized_photo_is_rejected(host_client, brussels, ixelles, settings):
    settings.EVENT_PHOTO_MAX_BYTES = 20
    response = host_client.post(
        reverse("events:create"),
        event_payload(city=brussels, commune=ixelles, photo=png_upload()),
    )
    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert "too large" in response.context["form"].errors["photo"][0]


def test_non_image_upload_is_rejected(host_client, brussels, ixelles):
    response = host_client.post(
        reverse("events:create"),
        event_payload(city=brussels, commune=ixelles, photo=fake_image_upload()),
    )
    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert "Upload a valid image" in response.context["form"].errors["photo"][0]


def test_wrong_extension_is_rejected(host_client, brussels, ixelles):
    response = host_client.post(
        reverse("events:create"),
        event_payload(city=brussels, commune=ixelles, photo=png_upload(name="photo.svg")),
    )
    assert response.status_code == 400
    assert Event.objects.count() == 0
    assert "photo" in response.context["form"].errors


def test_host_edits_published_event_to_fix_a_typo(client, event, host):
    client.force_login(host)
    edit_url = reverse("events:edit", kwargs={"pk": event.pk})
    form_page = client.get(edit_url)
    assert form_page.status_code == 200
    initial = form_page.context["form"].initial
    # The form shows the event's own values, times on the Brussels clock.
    assert initial["title"] == event.title
    assert initial["starts_at"] == timezone.localtime(event.starts_at, BRUSSELS).replace(
        tzinfo=None
    )
    html = form_page.content.decode()
    local_start = timezone.localtime(event.starts_at, BRUSSELS).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local_start}"' in html

    payload = event_payload(
        city=event.city, commune=event.commune, title="Dinner with the right spelling"
    )
    response = client.post(edit_url, payload)
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    event.refresh_from_db()
    assert event.title == "Dinner with the right spelling"
    assert event.status == Event.Status.PUBLISHED


def test_edit_cannot_lower_capacity_below_booked_seats(client, event, host):
    Event.objects.filter(pk=event.pk).update(seats_reserved=5)
    client.force_login(host)
    response = client.post(
        reverse("events:edit", kwargs={"pk": event.pk}),
        event_payload(city=event.city, commune=event.commune, capacity="4"),
    )
    assert response.status_code == 400
    assert "already booked" in response.context["form"].errors["capacity"][0]
    event.refresh_from_db()
    assert event.capacity == 8


def test_edit_form_rejects_bad_input_and_keeps_the_event(client, event, host):
    client.force_login(host)
    response = client.post(
        reverse("events:edit", kwargs={"pk": event.pk}),
        event_payload(city=event.city, commune=event.commune, title="New", pledge_percent="101"),
    )
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.title != "New"
    assert event.pledge_percent == 50
