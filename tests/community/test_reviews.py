"""Reviews: who may write one, once, within the window; replies; ratings; the host page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from community import selectors, services, tasks
from community.models import Review, ReviewInvitation
from events.models import Event
from tests.factories import ProfileFactory, UserFactory

from .helpers import booking, past_event

pytestmark = pytest.mark.django_db


def _review(booking_, rating=5, text="Lovely evening."):
    return services.review_create(
        booking_id=booking_.pk, author=booking_.guest, rating=rating, text=text
    )


def test_a_guest_who_came_reviews_once(attended):
    review = _review(attended, rating=4)
    assert (review.host_id, review.event_id, review.rating) == (
        attended.event.host_id,
        attended.event_id,
        4,
    )
    with pytest.raises(ValidationError) as raised:
        _review(attended)
    assert raised.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_the_database_refuses_a_second_review_of_a_booking(attended):
    _review(attended)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            booking=attended,
            event=attended.event,
            host=attended.event.host,
            author=attended.guest,
            rating=3,
            text="again",
        )


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("no_show", "no_show"),
        ("too_late", "window_closed"),
        ("not_completed", "not_completed"),
        ("cancelled", "not_attended"),
        ("someone_else", "not_your_booking"),
    ],
)
def test_who_may_not_review(setup, code, host, ixelles, guest):
    ended_ago = timedelta(days=31) if setup == "too_late" else timedelta(hours=2)
    status = Event.Status.PUBLISHED if setup == "not_completed" else Event.Status.COMPLETED
    event = past_event(host=host, commune=ixelles, ended_ago=ended_ago, status=status)
    target = booking(
        event=event,
        guest=guest,
        status=Booking.Status.CANCELLED if setup == "cancelled" else Booking.Status.CONFIRMED,
    )
    if setup == "no_show":
        services.booking_mark_no_show(booking_id=target.pk, actor=host)
    author = UserFactory() if setup == "someone_else" else guest
    with pytest.raises(ValidationError) as raised:
        services.review_create(booking_id=target.pk, author=author, rating=5, text="Great")
    assert raised.value.code == code
    assert not Review.objects.exists()


def test_the_host_cannot_review_their_own_event(dinner_done, host):
    own = booking(event=dinner_done, guest=host)  # the ORM allows it; the rules must not
    with pytest.raises(ValidationError) as raised:
        services.review_create(booking_id=own.pk, author=host, rating=5, text="Me!")
    assert raised.value.code == "own_event"


def test_a_reviewed_guest_cannot_be_marked_no_show(attended, host):
    _review(attended, rating=1, text="Cold soup.")
    with pytest.raises(ValidationError) as raised:
        services.booking_mark_no_show(booking_id=attended.pk, actor=host)
    assert raised.value.code == "already_reviewed"


@pytest.mark.parametrize(("rating", "text"), [(0, "ok"), (6, "ok"), (5, ""), (5, "x" * 2001)])
def test_bad_reviews_are_refused(attended, rating, text):
    with pytest.raises(ValidationError):
        _review(attended, rating=rating, text=text)
    assert not Review.objects.exists()


def test_editable_for_48_hours_only(attended):
    review = _review(attended, rating=3)
    services.review_update(review_id=review.pk, author=attended.guest, rating=4, text="Better.")
    assert Review.objects.get().rating == 4
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(hours=49))
    with pytest.raises(ValidationError) as raised:
        services.review_update(review_id=review.pk, author=attended.guest, rating=1, text="No")
    assert raised.value.code == "edit_window_closed"
    assert Review.objects.get().rating == 4


def test_host_replies_once(attended, host):
    review = _review(attended)
    with pytest.raises(ValidationError):
        services.review_reply(review_id=review.pk, host=attended.guest, text="Not mine")
    services.review_reply(review_id=review.pk, host=host, text="Thank you, come again!")
    with pytest.raises(ValidationError) as raised:
        services.review_reply(review_id=review.pk, host=host, text="Again")
    assert raised.value.code == "already_replied"
    assert Review.objects.get().reply == "Thank you, come again!"


def test_rating_leaves_hidden_reviews_out(host, ixelles):
    event = past_event(host=host, commune=ixelles)
    moderator = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    moderator.user_permissions.add(Permission.objects.get(codename="hide_review"))
    reviews = [_review(booking(event=event), rating=r) for r in (5, 4, 1)]
    assert selectors.host_rating(host_id=host.pk) == {"average": 3.3, "count": 3}
    services.review_hide(review_id=reviews[2].pk, actor=moderator, reason="Insults the host.")
    assert selectors.host_rating(host_id=host.pk) == {"average": 4.5, "count": 2}
    hidden = Review.objects.get(pk=reviews[2].pk)
    assert hidden.hidden_reason == "Insults the host." and hidden.hidden_by == moderator


def test_being_staff_is_not_enough_to_hide(attended):
    review = _review(attended)
    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        services.review_hide(review_id=review.pk, actor=staff, reason="I do not like it.")
    assert Review.objects.get().hidden_at is None


# ------------------------------------------------------------------ pages


def test_review_page_writes_and_shows_on_host_page_without_email(client, attended, host):
    client.force_login(attended.guest)
    url = reverse("community:review_write", kwargs={"reference": attended.reference})
    assert client.get(url).status_code == 200
    response = client.post(url, {"rating": "5", "text": "Best <b>tagine</b> in Ixelles."})
    assert response.status_code == 302
    client.logout()  # what anyone sees (a signed-in person's own address fills the newsletter box)
    page = client.get(reverse("accounts:host", kwargs={"user_id": host.pk}))
    html = page.content.decode()
    assert "Gabi from Ixelles" in html
    assert attended.guest.email not in html
    assert "&lt;b&gt;tagine&lt;/b&gt;" in html  # escaped
    assert "5.0 out of 5 · 1 review" in html
    event_html = client.get(attended.event.get_absolute_url()).content.decode()
    assert "5.0 out of 5 · 1 review" in event_html


def test_bad_review_post_is_a_400_with_the_message(client, attended):
    client.force_login(attended.guest)
    url = reverse("community:review_write", kwargs={"reference": attended.reference})
    response = client.post(url, {"rating": "5", "text": ""})
    assert response.status_code == 400
    assert "Please write a few words." in response.content.decode()
    assert not Review.objects.exists()


def test_review_page_refuses_a_no_show_and_others_get_404(client, attended, host):
    services.booking_mark_no_show(booking_id=attended.pk, actor=host)
    client.force_login(attended.guest)
    url = reverse("community:review_write", kwargs={"reference": attended.reference})
    response = client.post(url, {"rating": "5", "text": "I was there!"})
    assert response.status_code == 403
    assert "did not come" in response.content.decode()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert not Review.objects.exists()


def test_host_replies_on_the_page(client, attended, host):
    review = _review(attended)
    client.force_login(host)
    url = reverse("community:review_reply", kwargs={"pk": review.pk})
    assert client.post(url, {"reply": ""}).status_code == 400
    assert client.post(url, {"reply": "Merci Gabi!"}).status_code == 302
    html = client.get(reverse("accounts:host", kwargs={"user_id": host.pk})).content.decode()
    assert "Merci Gabi!" in html
    client.force_login(attended.guest)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 100])
def test_host_page_queries_do_not_grow_with_reviews(
    client, host, ixelles, count, django_assert_max_num_queries
):
    events = [past_event(host=host, commune=ixelles) for _ in range((count + 7) // 8)]
    for n in range(count):
        guest = UserFactory()
        ProfileFactory(user=guest, display_name=f"Guest {n}")
        event = Event.objects.get(pk=events[n // 8].pk)  # eight seats an event
        guest_booking = booking(event=event, guest=guest)
        Review.objects.create(
            booking=guest_booking, event=event, host=host, author=guest, rating=4, text=f"Nice {n}"
        )
    url = reverse("accounts:host", kwargs={"user_id": host.pk})
    with django_assert_max_num_queries(6):  # the same with 1 and 100 reviews
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Guest {count - 1}" in html  # the latest first
    assert html.count('class="review card') == min(count, selectors.REVIEWS_PER_PAGE)
    if count > selectors.REVIEWS_PER_PAGE:
        second = client.get(url + "?reviews=2").content.decode()
        assert f"Guest {count - 1 - selectors.REVIEWS_PER_PAGE}" in second


# ------------------------------------------------------------------ invitation email


def test_invitation_once_in_the_guests_language(attended):
    attended.guest.language = "fr"
    attended.guest.save(update_fields=["language"])
    assert tasks.send_review_invitations.apply().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [attended.guest.email]
    assert "/fr/reviews/write/" + attended.reference in message.body
    assert attended.event.address not in message.body
    # Beat again, and the task again: nothing more.
    assert tasks.send_review_invitations.apply().get() == 0
    assert tasks.send_review_invitation.apply(args=[attended.pk]).get() is False
    assert len(mail.outbox) == 1
    assert ReviewInvitation.objects.get().sent_at is not None


def test_no_invitation_for_no_shows_upcoming_or_expired_windows(host, ixelles, attended):
    services.booking_mark_no_show(booking_id=attended.pk, actor=host)
    booking(event=past_event(host=host, commune=ixelles, status=Event.Status.PUBLISHED))
    booking(event=past_event(host=host, commune=ixelles, ended_ago=timedelta(days=31)))
    booking(event=past_event(host=host, commune=ixelles), status=Booking.Status.CANCELLED)
    assert tasks.send_review_invitations.apply().get() == 0
    assert mail.outbox == []


def test_a_failed_send_gives_the_claim_back(attended, monkeypatch):
    def broken(booking_):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("community.emails.send_review_invitation", broken)
    with pytest.raises(ConnectionError):
        tasks.send_review_invitation.run(attended.pk)
    assert ReviewInvitation.objects.get().sent_at is None
    monkeypatch.undo()
    assert tasks.send_review_invitation.run(attended.pk) is True
    assert len(mail.outbox) == 1


def test_the_sweep_survives_a_broker_outage(attended, monkeypatch):
    def down(*args):
        raise OSError("broker down")

    monkeypatch.setattr(tasks.send_review_invitation, "delay", down)
    assert tasks.send_review_invitations.apply().get() == 1  # enqueue failed, logged
    assert mail.outbox == []
    monkeypatch.undo()
    tasks.send_review_invitations.apply()
    assert len(mail.outbox) == 1


def test_reviews_and_messages_in_the_export_and_scrubbed_on_erasure(attended, event):
    from accounts.selectors import user_data_export
    from community.services import community_scrub_for_erased_user

    _review(attended, rating=4, text="Warm welcome.")
    data = user_data_export(user=attended.guest)["community"]
    assert data["reviews"][0]["text"] == "Warm welcome."
    community_scrub_for_erased_user(user_id=attended.guest_id)
    review = Review.objects.get()
    assert (review.text, review.rating) == ("", 4)


def test_no_invitation_to_an_erased_guest(attended):
    attended.guest.email = f"erased-{attended.guest_id}@erased.invalid"
    attended.guest.save(update_fields=["email"])
    assert tasks.send_review_invitations.apply().get() == 0
