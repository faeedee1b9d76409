"""The host records no-shows for 7 days after a completed event; nothing of it is public."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bookings.models import Booking
from community import services
from community.models import NoShow
from events.models import Event
from tests.factories import UserFactory

from .helpers import booking, past_event

pytestmark = pytest.mark.django_db


def test_host_marks_and_undoes_a_no_show(attended, host):
    services.booking_mark_no_show(booking_id=attended.pk, actor=host)
    assert NoShow.objects.filter(booking=attended).exists()
    services.booking_mark_no_show(booking_id=attended.pk, actor=host)  # twice: still one
    assert NoShow.objects.count() == 1
    services.booking_unmark_no_show(booking_id=attended.pk, actor=host)
    assert not NoShow.objects.exists()


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (
            lambda host, c: booking(
                event=past_event(host=host, commune=c, ended_ago=timedelta(days=8))
            ),
            "window_closed",
        ),
        (
            lambda host, c: booking(
                event=past_event(host=host, commune=c, status=Event.Status.PUBLISHED)
            ),
            "not_completed",
        ),
        (
            lambda host, c: booking(
                event=past_event(host=host, commune=c), status=Booking.Status.CANCELLED
            ),
            "not_confirmed",
        ),
    ],
)
def test_no_show_only_within_the_rules(host, ixelles, make, code):
    target = make(host, ixelles)
    with pytest.raises(ValidationError) as raised:
        services.booking_mark_no_show(booking_id=target.pk, actor=host)
    assert raised.value.code == code
    assert not NoShow.objects.exists()


def test_undo_is_also_closed_after_seven_days(host, ixelles):
    target = booking(event=past_event(host=host, commune=ixelles, ended_ago=timedelta(days=6)))
    services.booking_mark_no_show(booking_id=target.pk, actor=host)
    Event.objects.filter(pk=target.event_id).update(
        ends_at=target.event.ends_at - timedelta(days=2),
        starts_at=target.event.starts_at - timedelta(days=2),
    )
    with pytest.raises(ValidationError) as raised:
        services.booking_unmark_no_show(booking_id=target.pk, actor=host)
    assert raised.value.code == "window_closed"
    assert NoShow.objects.exists()


def test_only_the_host_marks(attended, guest):
    with pytest.raises(ValidationError) as raised:
        services.booking_mark_no_show(booking_id=attended.pk, actor=UserFactory())
    assert raised.value.code == "not_host"


def test_attendance_page_is_the_hosts_only(client, attended, host, guest):
    url = reverse("community:attendance", kwargs={"pk": attended.event_id})
    client.force_login(guest)
    assert client.get(url).status_code == 404
    client.force_login(host)
    page = client.get(url)
    assert page.status_code == 200
    assert "Gabi from Ixelles" in page.content.decode()

    response = client.post(url, {"booking": attended.pk, "action": "no_show"})
    assert response.status_code == 302
    assert NoShow.objects.filter(booking=attended).exists()
    assert "Did not come" in client.get(url).content.decode()
    client.post(url, {"booking": attended.pk, "action": "came"})
    assert not NoShow.objects.exists()


def test_attendance_post_after_the_window_is_a_400_with_the_reason(client, host, ixelles):
    late = booking(event=past_event(host=host, commune=ixelles, ended_ago=timedelta(days=9)))
    client.force_login(host)
    response = client.post(
        reverse("community:attendance", kwargs={"pk": late.event_id}),
        {"booking": late.pk, "action": "no_show"},
    )
    assert response.status_code == 400
    assert "7 days after the event" in response.content.decode()
    assert not NoShow.objects.exists()


def test_no_shows_are_never_public(client, attended, host):
    services.booking_mark_no_show(booking_id=attended.pk, actor=host)
    for url in (
        attended.event.get_absolute_url(),
        reverse("accounts:host", kwargs={"user_id": host.pk}),
    ):
        html = client.get(url).content.decode()
        assert "did not come" not in html.lower()
