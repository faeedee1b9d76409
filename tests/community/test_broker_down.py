"""With the broker down, writing a message answers normally; the sweep sends its email later,
once. The review invitations are found from the database by their own beat task."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community import tasks
from community.models import Message, ReviewInvitation
from tests.broker import broker_down

from .helpers import booking

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_message_sent_while_the_broker_is_down_is_emailed_once_by_the_sweep(
    client, event, guest, host, caplog
):
    confirmed = booking(event=event, guest=guest)
    client.force_login(guest)
    thread = client.get(
        reverse("community:conversation_for_booking", kwargs={"reference": confirmed.reference})
    )["Location"]
    with broker_down():
        response = client.post(thread, {"body": "Can I bring my dog?"})
    assert response.status_code == 302
    assert "Could not enqueue community.tasks.send_message_notification" in caplog.text
    assert mail.outbox == []
    assert tasks.sweep_message_notifications.apply().get() == 0  # the usual task has its time
    Message.objects.update(created_at=timezone.now() - tasks.LOST_TASK_AFTER - timedelta(minutes=1))
    tasks.sweep_message_notifications.apply().get()
    tasks.sweep_message_notifications.apply().get()
    assert [m.to for m in mail.outbox] == [[host.email]]


def test_review_invitations_wait_for_the_broker(attended):
    with broker_down():
        tasks.send_review_invitations.apply().get()
    assert mail.outbox == [] and not ReviewInvitation.objects.filter(sent_at__isnull=False).exists()
    tasks.send_review_invitations.apply().get()
    tasks.send_review_invitations.apply().get()
    assert len(mail.outbox) == 1
