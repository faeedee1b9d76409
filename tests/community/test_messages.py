"""Guest–host messages: who sees a thread, sending, announcements, emails, unread counts,
rate limits, blocking, and staff reading only reported conversations."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from community import selectors, services, tasks
from community.models import Conversation, Message
from tests.factories import EventFactory, UserFactory

from .helpers import booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the after-commit callbacks (the emails) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def upcoming(event, guest):
    """The guest's confirmed booking of ``host``'s dinner next week."""
    return booking(event=event, guest=guest)


def _thread(booking_, user=None):
    return services.conversation_get_or_create(booking_id=booking_.pk, user=user or booking_.guest)


def test_guest_and_host_exchange_messages_and_each_is_emailed_in_their_language(
    upcoming, host, guest, committed
):
    host.language = "nl"
    host.save(update_fields=["language"])
    conversation = _thread(upcoming)
    with committed():
        services.message_send(conversation_id=conversation.pk, sender=guest, body="I am vegan.")
    with committed():
        services.message_send(conversation_id=conversation.pk, sender=host, body="Noted!")
    assert [m.to for m in mail.outbox] == [[host.email], [guest.email]]
    assert "I am vegan." in mail.outbox[0].body
    assert f"/nl/messages/{conversation.pk}/" in mail.outbox[0].body
    assert f"/en/messages/{conversation.pk}/" in mail.outbox[1].body
    assert Message.objects.filter(notified_at__isnull=False).count() == 2
    # The task again (a retry, the sweep): nothing twice.
    tasks.send_message_notification.apply(args=[Message.objects.first().pk])
    assert len(mail.outbox) == 2


def test_no_exact_address_in_what_we_send_for_a_held_booking(event, guest, host, committed):
    held = booking(event=event, guest=guest, status=Booking.Status.HELD)
    conversation = _thread(held)
    with committed():
        services.message_send(conversation_id=conversation.pk, sender=host, body="Welcome!")
    assert len(mail.outbox) == 1
    assert "Rue du Bailli" not in mail.outbox[0].body
    assert "Rue du Bailli" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    "status", [Booking.Status.CANCELLED, Booking.Status.EXPIRED, Booking.Status.REFUNDED]
)
def test_a_guest_without_an_active_booking_loses_the_thread(client, event, guest, host, status):
    gone = booking(event=event, guest=guest)
    conversation = _thread(gone)
    services.message_send(conversation_id=conversation.pk, sender=guest, body="See you!")
    Booking.objects.filter(pk=gone.pk).update(status=status)
    client.force_login(guest)
    assert (
        client.get(reverse("community:conversation", kwargs={"pk": conversation.pk})).status_code
        == 404
    )
    assert selectors.conversations_of(user=guest) == []
    with pytest.raises(ValidationError):
        services.message_send(conversation_id=conversation.pk, sender=guest, body="Hello?")
    # The host can still read it, but not write: the booking is over.
    with pytest.raises(ValidationError) as raised:
        services.message_send(conversation_id=conversation.pk, sender=host, body="Hello?")
    assert raised.value.code == "booking_inactive"


def test_a_lapsed_hold_closes_the_thread_before_the_sweep_runs(event, guest):
    held = booking(
        event=event,
        guest=guest,
        status=Booking.Status.HELD,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(PermissionDenied):
        _thread(held)


def test_others_never_see_a_thread(client, upcoming, guest):
    conversation = _thread(upcoming)
    stranger = UserFactory()
    client.force_login(stranger)
    assert (
        client.get(reverse("community:conversation", kwargs={"pk": conversation.pk})).status_code
        == 404
    )
    url = reverse("community:conversation_for_booking", kwargs={"reference": upcoming.reference})
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError):
        services.message_send(conversation_id=conversation.pk, sender=stranger, body="hi")


def test_no_messages_once_the_event_started(upcoming, guest):
    conversation = _thread(upcoming)
    upcoming.event.__class__.objects.filter(pk=upcoming.event_id).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(ValidationError) as raised:
        services.message_send(conversation_id=conversation.pk, sender=guest, body="Late!")
    assert raised.value.code == "event_not_upcoming"


def test_messages_are_text_only_escaped_and_at_most_2000_characters(client, upcoming, guest):
    client.force_login(guest)
    url = reverse("community:conversation_for_booking", kwargs={"reference": upcoming.reference})
    thread_url = client.get(url)["Location"]
    too_long = client.post(thread_url, {"body": "x" * 2001})
    assert too_long.status_code == 400
    assert "At most 2000 characters" in too_long.content.decode()
    assert client.post(thread_url, {"body": "   "}).status_code == 400
    assert client.post(thread_url, {"body": "<script>alert(1)</script>"}).status_code == 302
    html = client.get(thread_url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert Message.objects.count() == 1


@pytest.fixture
def message_limit(settings):
    """Switch on the site's one rate-limit mechanism (allauth's) for messages, with an empty
    cache; returns a function setting the hourly allowance."""
    from django.core.cache import cache

    def allow(per_hour: int) -> None:
        settings.ACCOUNT_RATE_LIMITS = {"community_message": f"{per_hour}/h/user"}
        cache.clear()

    yield allow
    cache.clear()


def _thread_url(client, booking_row) -> str:
    return client.get(
        reverse("community:conversation_for_booking", kwargs={"reference": booking_row.reference})
    )["Location"]


def test_rate_limit_answers_429_with_a_clear_message(client, upcoming, guest, message_limit):
    message_limit(3)
    client.force_login(guest)
    thread_url = _thread_url(client, upcoming)
    for n in range(3):
        assert client.post(thread_url, {"body": f"message {n}"}).status_code == 302
    response = client.post(thread_url, {"body": "one too many"})
    assert response.status_code == 429
    assert "You have sent a lot of messages in the last hour" in response.content.decode()
    assert Message.objects.count() == 3


def test_the_rate_limit_is_per_user(client, upcoming, guest, host, message_limit):
    message_limit(1)
    client.force_login(guest)
    thread_url = _thread_url(client, upcoming)
    assert client.post(thread_url, {"body": "one"}).status_code == 302
    assert client.post(thread_url, {"body": "two"}).status_code == 429
    client.force_login(host)
    assert client.post(thread_url, {"body": "one back"}).status_code == 302
    assert Message.objects.count() == 2


def test_the_site_default_allows_thirty_messages_an_hour(settings):
    from meetsies import settings as site_settings

    assert site_settings.ACCOUNT_RATE_LIMITS["community_message"] == "30/h/user"


def test_announcement_reaches_confirmed_guests_only(event, host, guest, committed):
    booking(event=event, guest=guest)
    other = booking(event=event)
    held = booking(event=event, status=Booking.Status.HELD)
    blocked = booking(event=event)
    blocked_thread = _thread(blocked)
    services.conversation_block(conversation_id=blocked_thread.pk, user=blocked.guest)
    with committed():
        sent = services.announcement_send(event_id=event.pk, sender=host, body="Bring a jumper.")
    recipients = {m.conversation.booking.guest_id for m in sent}
    assert recipients == {guest.pk, other.guest_id}
    assert held.guest_id not in recipients
    assert sorted(m.to[0] for m in mail.outbox) == sorted([guest.email, other.guest.email])
    assert "wrote to all guests" in mail.outbox[0].subject
    with pytest.raises(ValidationError):
        services.announcement_send(event_id=event.pk, sender=guest, body="Me too")


def test_announce_page(client, event, host, guest):
    booking(event=event, guest=guest)
    client.force_login(guest)
    assert client.get(reverse("community:announce", kwargs={"pk": event.pk})).status_code == 404
    client.force_login(host)
    url = reverse("community:announce", kwargs={"pk": event.pk})
    assert client.post(url, {"body": ""}).status_code == 400
    assert client.post(url, {"body": "Doors at 19:00."}).status_code == 302
    assert Message.objects.get().kind == Message.Kind.ANNOUNCEMENT


def test_unread_counts_on_the_conversations_page_with_constant_queries(
    client, host, ixelles, django_assert_max_num_queries
):
    for n in range(5):
        guest_booking = booking(event=EventFactory(host=host, commune=ixelles))
        conversation = _thread(guest_booking)
        for k in range(n + 1):
            services.message_send(
                conversation_id=conversation.pk, sender=guest_booking.guest, body=f"m{k}"
            )
    client.force_login(host)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("community:conversations"))
    html = response.content.decode()
    for n in range(1, 6):
        assert f"{n} unread" in html
    assert selectors.unread_total(user=host) == 15
    conversation = Conversation.objects.order_by("pk").last()
    client.get(reverse("community:conversation", kwargs={"pk": conversation.pk}))
    assert selectors.unread_total(user=host) == 10
    assert {c.pk: c.unread for c in selectors.conversations_of(user=host)}[conversation.pk] == 0


def test_own_messages_are_not_unread(upcoming, guest, host):
    conversation = _thread(upcoming)
    services.message_send(conversation_id=conversation.pk, sender=guest, body="hi")
    assert selectors.unread_total(user=guest) == 0
    assert selectors.unread_total(user=host) == 1


def test_block_and_unblock(client, upcoming, guest, host):
    conversation = _thread(upcoming)
    client.force_login(guest)
    block_url = reverse("community:conversation_block", kwargs={"pk": conversation.pk})
    client.post(block_url, {"action": "block"})
    with pytest.raises(ValidationError) as raised:
        services.message_send(conversation_id=conversation.pk, sender=host, body="Hello?")
    assert raised.value.code == "blocked"
    with pytest.raises(ValidationError):
        services.conversation_unblock(conversation_id=conversation.pk, user=host)
    client.post(block_url, {"action": "unblock"})
    services.message_send(conversation_id=conversation.pk, sender=host, body="Hello!")


def test_the_sweep_sends_what_a_lost_task_did_not(upcoming, guest, monkeypatch, committed):
    monkeypatch.setattr(tasks.send_message_notification, "delay", lambda *a: 1 / 0)
    conversation = _thread(upcoming)
    with committed():
        message = services.message_send(conversation_id=conversation.pk, sender=guest, body="hi")
    assert mail.outbox == []  # the broker was down; the page still answered
    monkeypatch.undo()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert tasks.sweep_message_notifications.apply().get() == 1
    assert len(mail.outbox) == 1
    assert tasks.sweep_message_notifications.apply().get() == 0


def test_staff_read_only_reported_conversations_with_the_permission(client, upcoming, guest):
    quiet = _thread(booking(event=upcoming.event))
    reported = _thread(upcoming)
    services.message_send(conversation_id=reported.pk, sender=guest, body="rude words")
    services.report_create(reporter=guest, conversation_id=reported.pk, reason="Harassment")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    change = "admin:community_conversation_change"
    assert client.get(reverse(change, args=[reported.pk])).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="read_reported_conversation"))
    response = client.get(reverse(change, args=[reported.pk]))
    assert response.status_code == 200
    assert "rude words" in response.content.decode()
    assert client.get(reverse(change, args=[quiet.pk])).status_code == 302  # not found → index
    listing = client.get(reverse("admin:community_conversation_changelist")).content.decode()
    assert f"/{reported.pk}/change/" in listing and f"/{quiet.pk}/change/" not in listing


def test_host_writes_to_one_guest_from_the_guest_list(client, upcoming, host):
    client.force_login(host)
    html = client.get(reverse("bookings:guests", kwargs={"pk": upcoming.event_id})).content.decode()
    url = reverse("community:conversation_for_booking", kwargs={"reference": upcoming.reference})
    assert f'href="{url}"' in html
    thread = client.get(url)
    assert thread.status_code == 302
    assert client.post(thread["Location"], {"body": "Any allergies?"}).status_code == 302
    assert Message.objects.get().sender == host


def test_guest_finds_the_thread_from_the_booking_page(client, upcoming, guest):
    client.force_login(guest)
    html = client.get(upcoming.get_absolute_url()).content.decode()
    assert "Message the host" in html
