"""Reports of reviews and events, the moderation queue, hiding with an explicit permission."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community import selectors, services
from community.models import Report, Review
from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(attended):
    return services.review_create(
        booking_id=attended.pk, author=attended.guest, rating=1, text="Awful and rude."
    )


def _moderator(*codenames):
    staff = UserFactory(is_staff=True)
    for codename in codenames:
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    return staff


def test_anyone_signed_in_reports_a_review_with_a_reason(client, review, host):
    url = reverse("community:report_review", kwargs={"pk": review.pk})
    assert client.get(url).status_code == 302  # to the login page
    reader = UserFactory()
    client.force_login(reader)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Please tell us why" in response.content.decode()
    assert client.post(url, {"reason": "Insults the host."}).status_code == 302
    client.post(url, {"reason": "Again"})  # a second open report by the same person: still one
    report = Report.objects.get()
    assert (report.review, report.reporter, report.reason) == (review, reader, "Insults the host.")


def test_events_are_reported_but_not_drafts(client, event, host):
    client.force_login(UserFactory())
    url = reverse("community:report_event", kwargs={"pk": event.pk})
    assert client.post(url, {"reason": "Looks like a scam."}).status_code == 302
    assert Report.objects.get().event == event
    draft = EventFactory(host=host, status=Event.Status.DRAFT)
    assert client.get(reverse("community:report_event", kwargs={"pk": draft.pk})).status_code == 404


def test_the_queue_lists_reports_for_staff_with_the_permission(client, review):
    services.report_create(reporter=UserFactory(), review_id=review.pk, reason="Spam link")
    changelist = reverse("admin:community_report_changelist")
    client.force_login(_moderator())
    assert client.get(changelist).status_code == 403  # staff alone sees nothing
    client.force_login(_moderator("view_report"))
    html = client.get(changelist).content.decode()
    assert "Spam link" in html
    assert review.author.email not in html


def test_hiding_needs_the_permission_and_keeps_the_reason(client, review, host):
    services.report_create(reporter=UserFactory(), review_id=review.pk, reason="Abusive")
    changelist = reverse("admin:community_review_changelist")
    form = {"action": "hide", ACTION_CHECKBOX_NAME: [review.pk]}

    client.force_login(_moderator("view_review"))
    client.post(changelist, {**form, "apply": "1", "reason": "Abusive language"})
    assert Review.objects.get().hidden_at is None  # no hide permission: the action is not offered

    client.force_login(_moderator("view_review", "hide_review"))
    confirm = client.post(changelist, form)
    assert confirm.status_code == 200
    assert "Reason for hiding" in confirm.content.decode()
    client.post(changelist, {**form, "apply": "1", "reason": "Abusive language"})
    hidden = Review.objects.get()
    assert hidden.hidden_at is not None and hidden.hidden_reason == "Abusive language"
    assert Report.objects.get().status == Report.Status.RESOLVED
    assert selectors.host_rating(host_id=host.pk) == {"average": None, "count": 0}
    html = client.get(reverse("accounts:host", kwargs={"user_id": host.pk})).content.decode()
    assert "Awful and rude." not in html


def test_a_conversation_is_reported_only_by_its_people(upcoming_thread):
    conversation, guest = upcoming_thread
    with pytest.raises(PermissionDenied):
        services.report_create(reporter=UserFactory(), conversation_id=conversation.pk, reason="x")
    services.report_create(reporter=guest, conversation_id=conversation.pk, reason="Rude host")
    assert Report.objects.get().conversation == conversation


@pytest.fixture
def upcoming_thread(event, guest):
    from .helpers import booking

    confirmed = booking(event=event, guest=guest)
    return services.conversation_get_or_create(booking_id=confirmed.pk, user=guest), guest


def test_the_moderators_group_can_do_exactly_moderation(client, review):
    from django.contrib.auth.models import Group

    from community.bootstrap import MODERATOR_PERMISSIONS, ensure_moderators_group

    assert Group.objects.filter(name="Moderators").exists()  # the data migration made it
    group = ensure_moderators_group()  # and doing it again changes nothing
    assert Group.objects.get(name="Moderators") == group
    assert sorted(group.permissions.values_list("codename", flat=True)) == sorted(
        MODERATOR_PERMISSIONS
    )
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(group)
    moderator = type(moderator).objects.get(pk=moderator.pk)
    services.review_hide(review_id=review.pk, actor=moderator, reason="Spam")
    assert Review.objects.get().hidden_at is not None


def test_the_queue_links_to_what_was_reported(client, review, event):
    services.report_create(reporter=UserFactory(), review_id=review.pk, reason="Spam")
    services.report_create(reporter=UserFactory(), event_id=event.pk, reason="Fake")
    client.force_login(_moderator("view_report"))
    html = client.get(reverse("admin:community_report_changelist")).content.decode()
    assert reverse("admin:community_review_change", args=[review.pk]) in html
    assert reverse("admin:events_event_change", args=[event.pk]) in html
