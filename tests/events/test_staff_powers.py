"""Staff are not hosts (issue 8, item 1).

Being staff lets a person into Django admin and nothing more. On the site's own pages a Kiron
staff member is a user like any other: another host's event is not theirs to publish, edit,
preview or cancel, and its exact address is not theirs to read. What the platform team may do
(cancel an event as moderation) comes from the named permission ``events.moderate_event``,
checked by the service, and is done from the admin.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from donations.bootstrap import ensure_kiron_staff_group
from events import services
from events.models import Event
from tests.factories import EventFactory, UserFactory

from .helpers import event_payload

pytestmark = pytest.mark.django_db

ADDRESS = "Rue du Bailli 12, 1050 Ixelles"


@pytest.fixture
def kiron_staff(db):
    staff = UserFactory(email="staff@kiron.example", is_staff=True)
    staff.groups.add(ensure_kiron_staff_group())
    return staff


@pytest.fixture
def draft(host, ixelles):
    return EventFactory(
        host=host, commune=ixelles, status=Event.Status.DRAFT, published_at=None, address=ADDRESS
    )


@pytest.fixture(params=["kiron_staff", "superuser"])
def staff_member(request, kiron_staff):
    if request.param == "superuser":
        return UserFactory(email="root@meetsies.example", is_staff=True, is_superuser=True)
    return kiron_staff


def test_staff_posting_publish_on_another_hosts_draft_gets_404(client, staff_member, draft):
    client.force_login(staff_member)
    response = client.post(reverse("events:publish", kwargs={"pk": draft.pk}))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT
    assert draft.published_at is None


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("events:edit", "get"),
        ("events:edit", "post"),
        ("events:preview", "get"),
        ("events:cancel", "get"),
        ("events:cancel", "post"),
    ],
)
def test_staff_get_404_on_edit_preview_and_cancel(client, staff_member, event, name, method):
    client.force_login(staff_member)
    url = reverse(name, kwargs={"pk": event.pk})
    data = event_payload(city=event.city, commune=event.commune, title="Edited by staff")
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.title != "Edited by staff"
    assert event.status == Event.Status.PUBLISHED


def test_staff_cannot_see_another_hosts_draft(client, staff_member, draft):
    client.force_login(staff_member)
    assert client.get(reverse("events:detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("events:ics", kwargs={"pk": draft.pk})).status_code == 404


def test_staff_see_the_event_page_and_calendar_without_the_address(client, staff_member, event):
    client.force_login(staff_member)
    page = client.get(reverse("events:detail", kwargs={"pk": event.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert event.title in html
    assert "Rue du Bailli" not in html
    assert reverse("events:edit", kwargs={"pk": event.pk}) not in html
    assert reverse("events:cancel", kwargs={"pk": event.pk}) not in html
    calendar = client.get(reverse("events:ics", kwargs={"pk": event.pk}))
    assert calendar.status_code == 200
    assert "Bailli" not in calendar.content.decode()


def test_the_host_still_sees_their_address(client, host, event):
    client.force_login(host)
    html = client.get(reverse("events:detail", kwargs={"pk": event.pk})).content.decode()
    assert "Rue du Bailli" in html


def test_staff_do_not_see_guest_lists(client, staff_member, event):
    client.force_login(staff_member)
    response = client.get(reverse("bookings:guests", kwargs={"pk": event.pk}))
    assert response.status_code == 404


# ---------------------------------------------------------------- the services


def test_the_services_refuse_staff(kiron_staff, draft, event):
    with pytest.raises(PermissionDenied):
        services.event_publish(event_id=draft.pk, actor=kiron_staff)
    with pytest.raises(PermissionDenied):
        services.event_cancel(event_id=event.pk, actor=kiron_staff)
    assert not services.event_can_manage(user=kiron_staff, event=event)
    draft.refresh_from_db()
    event.refresh_from_db()
    assert draft.status == Event.Status.DRAFT
    assert event.status == Event.Status.PUBLISHED


def test_moderate_event_lets_the_platform_team_cancel_but_not_edit(event):
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_event"))
    assert not services.event_can_manage(user=moderator, event=event)
    cancelled = services.event_cancel(event_id=event.pk, actor=moderator)
    assert cancelled.status == Event.Status.CANCELLED


def test_kiron_staff_do_not_get_moderate_event_by_default(kiron_staff):
    assert not kiron_staff.has_perm("events.moderate_event")
    assert not kiron_staff.has_perm("events.view_event_address")
    assert not kiron_staff.has_perm("bookings.view_guest_details")


def test_a_moderator_cancels_from_the_admin_and_guests_hear_about_it(
    client, event, django_capture_on_commit_callbacks
):
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(
        Permission.objects.get(codename="view_event"),
        Permission.objects.get(codename="moderate_event"),
    )
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:events_event_changelist"),
            {"action": "cancel_events", "_selected_action": [event.pk]},
            follow=True,
        )
    assert "1 event cancelled." in [str(m) for m in response.context["messages"]]
    assert callbacks  # event_cancelled is sent after commit: bookings refund the guests
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


def test_without_moderate_event_the_admin_offers_no_cancel(client, event):
    support = UserFactory(is_staff=True)
    support.user_permissions.add(
        Permission.objects.get(codename="view_event"),
        Permission.objects.get(codename="change_event"),
    )
    client.force_login(support)
    page = client.get(reverse("admin:events_event_changelist"))
    assert "cancel_events" not in page.content.decode()
    client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", "_selected_action": [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
