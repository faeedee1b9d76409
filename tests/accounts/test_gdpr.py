"""GDPR: a person downloads their own data and erases their account."""

import json
from datetime import datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import NewsletterSubscription, Profile, User
from accounts.services import profile_update, user_erase
from bookings.models import Booking
from events.models import Event
from events.services import event_cancel
from tests.events.helpers import png_upload
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
EXPORT_URL = "/en/profile/my-data.json"
ERASE_URL = "/en/profile/erase/"


def subscribe(email: str, **fields) -> NewsletterSubscription:
    return NewsletterSubscription.objects.create(
        email=email,
        status=fields.pop("status", NewsletterSubscription.Status.CONFIRMED),
        consent_given_at=timezone.now(),
        consent_policy_version="2026-01",
        **fields,
    )


def give_profile(user, brussels, ixelles, *, photo=False) -> Profile:
    return profile_update(
        user=user,
        display_name="Hana B.",
        bio="I cook Lebanese food.",
        city=brussels,
        commune=ixelles,
        languages=["ar", "fr"],
        photo=png_upload() if photo else None,
    )


def book(event, guest, **fields) -> Booking:
    """A confirmed, paid booking row, as bookings would leave it."""
    return Booking.objects.create(
        event=event,
        guest=guest,
        seats=2,
        dietary_notes=fields.pop("dietary_notes", ""),
        unit_price_cents=2500,
        gross_cents=5000,
        pledge_percent=50,
        pledge_cents=2500,
        host_cents=2500,
        status=Booking.Status.CONFIRMED,
        hold_expires_at=timezone.now(),
        confirmed_at=timezone.now(),
        **fields,
    )


def past_event(host, commune, **fields) -> Event:
    start = timezone.now() - timedelta(days=3)
    return EventFactory(
        host=host,
        commune=commune,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        booking_deadline=start - timedelta(hours=2),
        cancellation_deadline=start - timedelta(hours=48),
        **fields,
    )


def erase_form(user, **overrides) -> dict:
    return {"password": PASSWORD, "confirmation": user.email, **overrides}


# ---------------------------------------------------------------- export


def test_profile_page_offers_download_and_erasure(client, user):
    client.force_login(user)
    html = client.get("/en/profile/").content.decode()
    assert f'href="{EXPORT_URL}"' in html
    assert f'href="{ERASE_URL}"' in html


@pytest.mark.parametrize("url", [EXPORT_URL, ERASE_URL])
def test_gdpr_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_export_is_a_json_download_of_everything_about_me(client, host, brussels, ixelles):
    give_profile(host, brussels, ixelles, photo=True)
    EmailAddress.objects.create(user=host, email="hana.work@example.org", verified=False)
    subscribe("HOST@example.org", language="fr")  # stored in another case: still mine
    subscribe("hana.work@example.org", status=NewsletterSubscription.Status.PENDING)
    published = EventFactory(host=host, commune=ixelles, title="Mezze night")
    draft = EventFactory(
        host=host, commune=ixelles, title="Secret draft", status=Event.Status.DRAFT
    )

    client.force_login(host)
    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="meetsies-data-')
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "meetsies-personal-data/1"
    assert data["account"]["email"] == "host@example.org"
    assert data["account"]["first_name"] == "Hana"
    assert data["account"]["language"] == "en"
    assert data["profile"]["display_name"] == "Hana B."
    assert data["profile"]["commune"] == "Ixelles"
    assert data["profile"]["languages"] == ["fr", "ar"]
    assert data["profile"]["photo"].endswith(".png")
    assert {a["email"] for a in data["email_addresses"]} == {
        "host@example.org",
        "hana.work@example.org",
    }
    assert [(s["email"], s["status"]) for s in data["newsletter"]] == [
        ("HOST@example.org", "confirmed"),
        ("hana.work@example.org", "pending"),
    ]
    hosted = {event["title"]: event for event in data["hosted_events"]}
    assert set(hosted) == {"Mezze night", "Secret draft"}
    assert hosted["Mezze night"]["id"] == published.pk
    assert hosted["Mezze night"]["address"] == published.address
    assert hosted["Secret draft"]["status"] == "draft"
    assert hosted["Secret draft"]["id"] == draft.pk
    exported_start = datetime.fromisoformat(hosted["Mezze night"]["starts_at"])
    assert abs(exported_start - published.starts_at) < timedelta(milliseconds=1)


def test_export_holds_only_my_own_data(client, user, host, ixelles):
    EventFactory(host=host, commune=ixelles, title="Hana's dinner")
    subscribe(host.email)
    subscribe(user.email)
    other = UserFactory(email="other@example.org")
    EmailAddress.objects.create(user=other, email="other.alt@example.org")

    client.force_login(user)
    body = client.get(EXPORT_URL).content.decode()
    data = json.loads(body)

    assert data["account"]["id"] == user.pk
    assert data["hosted_events"] == []
    assert data["profile"] is None
    assert [s["email"] for s in data["newsletter"]] == [user.email]
    for foreign in ("host@example.org", "Hana's dinner", "other@example.org", "other.alt@"):
        assert foreign not in body
    # The page takes no id: asking for someone else's data is not even expressible.
    assert client.get(EXPORT_URL, {"user_id": host.pk}).content.decode().count(host.email) == 0


# ---------------------------------------------------------------- erasure


def test_erase_page_explains_and_asks_for_password_and_email(client, user):
    client.force_login(user)
    response = client.get(ERASE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="password"' in html
    assert 'name="confirmation"' in html
    assert user.email in html  # shown, so the person knows what to type
    assert f'href="{EXPORT_URL}"' in html


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"confirmation": "erase"}, "confirmation"),
        ({"confirmation": ""}, "confirmation"),
        ({"password": "not-my-password"}, "password"),
        ({"password": ""}, "password"),
    ],
)
def test_bad_confirmation_or_password_is_400_and_nothing_changes(
    client, user, brussels, ixelles, overrides, field
):
    give_profile(user, brussels, ixelles)
    subscribe(user.email)
    email = user.email
    client.force_login(user)

    response = client.post(ERASE_URL, erase_form(user, **overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Nothing was erased" in response.content.decode()
    user.refresh_from_db()
    assert user.email == email and user.is_active and user.check_password(PASSWORD)
    assert Profile.objects.get(user=user).display_name == "Hana B."
    assert EmailAddress.objects.filter(user=user).exists()
    assert NewsletterSubscription.objects.filter(email=email).exists()
    assert client.get("/en/profile/").status_code == 200  # still logged in


def test_erasure_anonymises_and_logs_out(
    client, user, host, brussels, ixelles, django_capture_on_commit_callbacks
):
    profile = give_profile(user, brussels, ixelles, photo=True)
    photo_storage, photo_name = profile.photo.storage, profile.photo.name
    assert photo_storage.exists(photo_name)
    EmailAddress.objects.create(user=user, email="alias@example.org")
    subscribe(user.email.upper())
    subscribe("alias@example.org")
    subscribe(host.email)
    old_email = user.email
    # A past dinner: a booking for an event not over yet blocks erasure (bookings' blocker).
    booking = book(past_event(host, ixelles), user, dietary_notes="No nuts")
    client.force_login(user)
    other_device = client.__class__()
    other_device.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ERASE_URL, erase_form(user, confirmation=old_email.upper()))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert str(user) == "Former member"
    profile.refresh_from_db()
    assert (profile.display_name, profile.bio, profile.languages) == ("", "", [])
    assert profile.city is None and profile.commune is None and not profile.photo
    assert not photo_storage.exists(photo_name)
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email__iexact=old_email).exists()
    assert list(NewsletterSubscription.objects.values_list("email", flat=True)) == [host.email]
    # Money records stay, pointing at the anonymised account.
    booking.refresh_from_db()
    assert booking.guest_id == user.pk and booking.status == Booking.Status.CONFIRMED
    # Logged out here and on every other device; the old password no longer works.
    follow = client.get(response["Location"])
    assert "Your account is erased" in follow.content.decode()
    assert client.get("/en/profile/").status_code == 302
    assert other_device.get("/en/profile/").status_code == 302
    login = client.post(reverse("account_login"), {"login": old_email, "password": PASSWORD})
    assert login.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    # The public host page is gone.
    assert client.get(reverse("accounts:host", kwargs={"user_id": user.pk})).status_code == 404


def test_the_address_can_sign_up_again_after_erasure(client, user):
    old_email = user.email
    user_erase(user_id=user.pk)
    assert not User.objects.filter(email=old_email).exists()
    UserFactory(email=old_email)  # unique email constraint is free again


def test_erasing_twice_changes_nothing_more(user):
    first = user_erase(user_id=user.pk)
    second = user_erase(user_id=user.pk)
    assert first.email == second.email == f"erased-{user.pk}@erased.invalid"


# ---------------------------------------------------------------- blockers and hosted events


def test_host_with_upcoming_published_event_cannot_erase(client, host, event):
    client.force_login(host)

    page = client.get(ERASE_URL)
    assert "You host 1 upcoming event. Cancel it first" in page.content.decode()
    assert 'name="password"' not in page.content.decode()

    response = client.post(ERASE_URL, erase_form(host))
    assert response.status_code == 409
    assert "You host 1 upcoming event" in response.content.decode()
    host.refresh_from_db()
    assert host.email == "host@example.org" and host.is_active
    with pytest.raises(ValidationError) as excinfo:
        user_erase(user_id=host.pk)
    assert [error.code for error in excinfo.value.error_list] == ["erasure_blocked"]

    event_cancel(event_id=event.pk, actor=host)
    assert client.post(ERASE_URL, erase_form(host)).status_code == 302
    host.refresh_from_db()
    assert host.is_erased


def test_an_event_under_way_also_blocks_erasure(host, ixelles):
    start = timezone.now() - timedelta(hours=1)
    EventFactory(
        host=host,
        commune=ixelles,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        booking_deadline=start - timedelta(hours=2),
        cancellation_deadline=start - timedelta(hours=48),
    )
    assert services.user_erasure_blockers(user=host) == [
        "You host 1 upcoming event. Cancel it first: your guests are told and refunded."
    ]


def test_erased_host_keeps_past_events_without_address_and_loses_drafts(
    client, host, user, ixelles
):
    past = past_event(host, ixelles, title="Last month dinner")
    booking = book(past, user)
    cancelled = EventFactory(host=host, commune=ixelles, status=Event.Status.CANCELLED)
    draft = EventFactory(host=host, commune=ixelles, status=Event.Status.DRAFT)
    others = EventFactory(commune=ixelles, address="Somebody else's street 1")
    assert services.user_erasure_blockers(user=host) == []

    user_erase(user_id=host.pk)

    assert not Event.objects.filter(pk=draft.pk).exists()
    past.refresh_from_db()
    cancelled.refresh_from_db()
    assert past.address == "" and cancelled.address == ""
    assert Booking.objects.get(pk=booking.pk).event_id == past.pk
    others.refresh_from_db()
    assert others.address == "Somebody else's street 1"
    # The past event's page names no one.
    page = client.get(past.get_absolute_url()).content.decode()
    assert "Last month dinner" in page
    assert "Hana" not in page and "host@example.org" not in page
    assert "Former member" in page


def test_erasure_rolls_back_entirely_when_a_receiver_fails(user, brussels, ixelles):
    from accounts.signals import user_erasing

    give_profile(user, brussels, ixelles)

    def explode(sender, user_id, **kwargs):
        raise RuntimeError("disk on fire")

    user_erasing.connect(explode, dispatch_uid="test.explode")
    try:
        with pytest.raises(RuntimeError):
            user_erase(user_id=user.pk)
    finally:
        user_erasing.disconnect(dispatch_uid="test.explode")
    user.refresh_from_db()
    assert user.is_active and not user.is_erased
    assert Profile.objects.get(user=user).display_name == "Hana B."
    assert EmailAddress.objects.filter(user=user).exists()


def test_a_user_with_nothing_but_an_account_erases_cleanly(user):
    erased = user_erase(user_id=user.pk)
    assert erased.is_erased and not Profile.objects.filter(user=user).exists()


# ---------------------------------------------------------------- staff, on an emailed request


def test_staff_erase_accounts_from_admin_and_see_who_was_blocked(client, user, host, event):
    admin = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_accounts", "_selected_action": [user.pk, host.pk]},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert "1 account erased." in shown
    assert any(m.startswith("host@example.org was not erased: You host 1") for m in shown)
    user.refresh_from_db()
    host.refresh_from_db()
    assert user.is_erased and not user.is_active
    assert not host.is_erased and host.is_active


def test_staff_without_delete_permission_cannot_erase(client, user):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(email="clerk@example.org", is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_user"), Permission.objects.get(codename="change_user")
    )
    client.force_login(clerk)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_accounts", "_selected_action": [user.pk]},
    )
    user.refresh_from_db()
    assert not user.is_erased and user.is_active
