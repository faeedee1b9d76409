"""The public pages' cache (events.cache): what it serves, to whom, and that every change a
visitor would notice makes the cached page stale at once."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_cancel, booking_expire_stale, booking_hold
from donations import services as fund_services
from donations.bootstrap import ensure_cook4chance_fund
from donations.models import Disbursement
from tests.donations.factories import paid_booking
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fund(db):
    return ensure_cook4chance_fund()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write and its after-commit work, as a request would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response, response.content.decode()


def test_an_anonymous_page_is_served_from_the_cache_with_vary_cookie(client, event):
    url = event.get_absolute_url()
    first, html = get(client, url)
    second, again = get(client, url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert again == html
    assert "Cookie" in second["Vary"]
    assert not second.cookies  # no CSRF cookie, no session


def test_keys_are_per_language_and_per_query_string(client, event):
    get(client, "/en/events/")
    french, html = get(client, "/fr/events/")
    assert french["X-Page-Cache"] == "miss"
    assert '<html lang="fr">' in html
    filtered, _html = get(client, "/en/events/", data={"kind": "board_games"})
    assert filtered["X-Page-Cache"] == "miss"
    assert get(client, "/fr/events/")[0]["X-Page-Cache"] == "hit"


def test_signed_in_people_and_sessions_are_never_served_from_the_cache(client, event, user):
    url = event.get_absolute_url()
    get(client, url)
    client.force_login(user)
    response, html = get(client, url)
    assert "X-Page-Cache" not in response
    assert 'name="csrfmiddlewaretoken"' in html  # their own booking form
    client.logout()
    client.cookies["sessionid"] = "anything"
    assert "X-Page-Cache" not in get(client, url)[0]


def test_a_hold_that_takes_the_last_seats_shows_sold_out_at_once(client, commit, host, ixelles):
    event = EventFactory(host=host, commune=ixelles, capacity=2)
    url = event.get_absolute_url()
    assert "2 of 2 seats left" in get(client, url)[1]
    assert "Sold out" not in get(client, "/en/events/")[1]

    commit(booking_hold, event_id=event.pk, guest=UserFactory(), seats=2)

    response, html = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Sold out" in html
    assert "Sold out" in get(client, "/en/events/")[1]


def test_seats_given_back_show_as_available_again(client, commit, host, ixelles):
    event = EventFactory(host=host, commune=ixelles, capacity=1)
    guest = UserFactory()
    booking = commit(booking_hold, event_id=event.pk, guest=guest, seats=1)
    assert "Sold out" in get(client, event.get_absolute_url())[1]

    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    commit(booking_expire_stale)

    assert "1 of 1 seat left" in get(client, event.get_absolute_url())[1]


def test_a_cancelled_booking_frees_its_seat_on_the_cached_page(client, commit, host, ixelles):
    event = EventFactory(host=host, commune=ixelles, capacity=1, contribution_cents=0)
    guest = UserFactory()
    booking = commit(booking_hold, event_id=event.pk, guest=guest, seats=1)
    assert "Sold out" in get(client, event.get_absolute_url())[1]
    commit(booking_cancel, booking_id=booking.pk, guest=guest)
    assert "1 of 1 seat left" in get(client, event.get_absolute_url())[1]


def test_an_edited_event_shows_its_new_title(client, commit, event):
    get(client, event.get_absolute_url())
    get(client, "/en/events/")
    event.title = "A brand new title"
    commit(event.save)  # services and the admin save the model: post_save tells the cache
    assert "A brand new title" in get(client, event.get_absolute_url())[1]
    assert "A brand new title" in get(client, "/en/events/")[1]


def test_nothing_changed_nothing_recomputed(client, commit, event):
    """A write elsewhere (another user's profile) leaves the cached pages alone."""
    get(client, "/en/events/")
    commit(UserFactory)
    assert get(client, "/en/events/")[0]["X-Page-Cache"] == "hit"


def test_a_pledge_moves_the_cached_impact_page(client, commit, fund):
    url = reverse("donations:impact")
    assert 'id="impact-raised">€0.00' in get(client, url)[1]
    payment = paid_booking(seats=2)  # €25 × 2 × 50 %
    commit(fund_services.pledge_record, payment_id=payment.pk)
    response, html = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert 'id="impact-raised">€25.00' in html
    assert 'id="impact-dinners">1' in html


def test_a_laptop_bought_shows_on_the_cached_impact_page(client, commit, fund):
    url = reverse("donations:impact")
    assert 'id="impact-bought">0' in get(client, url)[1]
    commit(
        Disbursement.objects.create,
        fund=fund,
        bought_on=timezone.localdate(),
        student_reference="KCS-1",
        note="",
    )
    assert 'id="impact-bought">1' in get(client, url)[1]


def test_the_cache_can_be_switched_off(client, event, settings):
    settings.PUBLIC_PAGE_CACHE = False
    get(client, event.get_absolute_url())
    assert "X-Page-Cache" not in get(client, event.get_absolute_url())[0]


def test_the_filter_form_is_rendered_once_per_query_and_follows_new_communes(
    client, commit, user, ixelles, brussels
):
    """Signed-in people's lists share the cached filter form; a new commune shows at once."""
    from events import views
    from tests.factories import CommuneFactory

    client.force_login(user)
    with mock.patch.object(views, "render_to_string", wraps=views.render_to_string) as rendered:
        first = client.get("/en/events/").content.decode()
        second = client.get("/en/events/").content.decode()
        assert rendered.call_count == 1
        assert 'value="board_games"' in first and first.count("Ixelles") == second.count("Ixelles")
        client.get("/en/events/", {"kind": "dinner"})
        assert rendered.call_count == 2  # another query string, another rendering

    commit(CommuneFactory, city=brussels, name="Etterbeek")
    assert "Etterbeek" in client.get("/en/events/").content.decode()


def test_a_lapsed_hold_frees_its_seat_on_the_cached_page_within_seconds(
    client, commit, host, ixelles
):
    """No write announces a hold running out (the sweep may come a minute later): while holds
    run, cached pages are re-rendered every few seconds."""
    from events import cache as page_cache

    event = EventFactory(host=host, commune=ixelles, capacity=1)
    booking = commit(booking_hold, event_id=event.pk, guest=UserFactory(), seats=1)
    assert "Sold out" in get(client, event.get_absolute_url())[1]
    assert get(client, event.get_absolute_url())[0]["X-Page-Cache"] == "hit"

    # The hold runs out (the database clock passes it); no sweep has run.
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    clock = page_cache._clock
    with mock.patch.object(
        page_cache, "_clock", lambda: clock() + page_cache.TIME_SENSITIVE_SECONDS
    ):
        response, html = get(client, event.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "1 of 1 seat left" in html


def test_without_running_holds_pages_stay_cached_over_time(client, event):
    from events import cache as page_cache

    get(client, event.get_absolute_url())
    clock = page_cache._clock
    with mock.patch.object(page_cache, "_clock", lambda: clock() + 3600):
        assert get(client, event.get_absolute_url())[0]["X-Page-Cache"] == "hit"
