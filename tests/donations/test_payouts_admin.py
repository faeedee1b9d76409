"""Payout batches in admin: an explicit permission, clear messages, nothing half-saved."""

import pytest
import xmlschema
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from sepaxml import validation

from donations.models import MoneyTransfer, PayoutBatch, PayoutLine
from tests.factories import UserFactory

from .money import IBAN_HOST, booked, details_for, ended_event

pytestmark = pytest.mark.django_db

SCHEMA = validation.__file__.replace("validation.py", "schemas/pain.001.001.03.xsd")


@pytest.fixture
def payouts_client(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="manage_payouts"))
    client.force_login(staff)
    return client


@pytest.fixture
def payable(settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    host = UserFactory()
    details_for(host)
    booked(ended_event(host=host), seats=2)
    return host


def create(client):
    return client.post(
        reverse("admin:donations_payoutbatch_create"),
        {"execution_date": timezone.localdate().isoformat()},
    )


def test_staff_without_the_permission_cannot_see_or_run_payouts(client, kiron_group, payable):
    kiron = UserFactory(is_staff=True)
    kiron.groups.add(kiron_group)
    for user in (UserFactory(is_staff=True), kiron):
        client.force_login(user)
        assert client.get(reverse("admin:donations_payoutbatch_changelist")).status_code == 403
        assert create(client).status_code == 403
        assert client.get(reverse("admin:donations_moneyaccount_changelist")).status_code == 403
    assert not PayoutBatch.objects.exists()


def test_a_batch_is_created_downloaded_and_marked_executed(payouts_client, payable):
    response = create(payouts_client)

    batch = PayoutBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:donations_payoutbatch_change", args=[batch.pk])
    page = payouts_client.get(response.url).content.decode()
    assert "BE68 **** **** 7034" in page
    assert IBAN_HOST not in page

    download = payouts_client.get(reverse("admin:donations_payoutbatch_download", args=[batch.pk]))
    assert download["Content-Disposition"] == (
        f'attachment; filename="{batch.reference}.pain.001.xml"'
    )
    xmlschema.XMLSchema(SCHEMA).validate(download.content.decode())
    assert IBAN_HOST in download.content.decode()

    payouts_client.post(reverse("admin:donations_payoutbatch_executed", args=[batch.pk]))
    assert set(batch.lines.values_list("status", flat=True)) == {"paid"}


def test_nothing_eligible_is_a_clear_message_and_no_batch(payouts_client):
    response = create(payouts_client)

    assert response.status_code == 400
    assert "Nothing to pay out" in response.content.decode()
    assert not PayoutBatch.objects.exists()


def test_a_line_returned_twice_is_refused_with_a_message(payouts_client, payable):
    create(payouts_client)
    line = PayoutLine.objects.get(account__key=f"host:{payable.pk}")
    url = reverse("admin:donations_payoutline_return", args=[line.pk])

    first = payouts_client.post(url, {"reason": "Account closed (AC04)"}, follow=True)
    second = payouts_client.post(url, {"reason": "again"}, follow=True)

    assert "is marked returned" in first.content.decode()
    assert "was already marked returned" in second.content.decode()
    assert MoneyTransfer.objects.filter(kind="payout_return").count() == 1
    line.refresh_from_db()
    assert line.returned_reason == "Account closed (AC04)"


def test_a_return_without_reason_is_a_400(payouts_client, payable):
    create(payouts_client)
    line = PayoutLine.objects.first()
    response = payouts_client.post(
        reverse("admin:donations_payoutline_return", args=[line.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.status == "sent"


def test_the_file_and_the_marks_need_the_permission(client, payouts_client, payable, kiron_group):
    create(payouts_client)
    batch = PayoutBatch.objects.get()
    line = batch.lines.first()
    kiron = UserFactory(is_staff=True)
    kiron.groups.add(kiron_group)
    client.force_login(kiron)

    assert (
        client.get(reverse("admin:donations_payoutbatch_download", args=[batch.pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:donations_payoutbatch_executed", args=[batch.pk])).status_code
        == 403
    )
    returned = client.post(
        reverse("admin:donations_payoutline_return", args=[line.pk]), {"reason": "x"}
    )
    assert returned.status_code == 403
    assert set(batch.lines.values_list("status", flat=True)) == {"sent"}


def test_kiron_staff_see_the_transfers_to_kiron_on_the_fund_page_not_hosts_ibans(
    client, payouts_client, payable, kiron_group, fund
):
    create(payouts_client)
    kiron = UserFactory(is_staff=True)
    kiron.groups.add(kiron_group)
    client.force_login(kiron)

    page = client.get(reverse("admin:donations_fund_change", args=[fund.pk])).content.decode()

    assert 'id="fund-transferred">€25.00' in page
    assert "MEETSIES-" in page
    assert IBAN_HOST not in page and "BE68" not in page
    impact = client.get(reverse("donations:impact")).content.decode()
    assert 'id="impact-transferred">€25.00' in impact
