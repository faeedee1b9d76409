"""Money out, in the browser: a host adds payout details, the event ends, staff run a payout
batch and download a pain.001 file that validates against its schema, and the host's Earnings
page shows the share paid. The booking is paid through the ORM (the main journey pays through
Stripe.js); everything after it goes through the pages."""

import re
from datetime import timedelta

import pytest
import xmlschema
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect
from sepaxml import validation

from donations.models import PayoutBatch, PayoutDetails
from events.models import Event
from events.services import events_complete_ended
from tests.donations.money import booked
from tests.factories import EventFactory, UserFactory

from .helpers import AxeAudit, log_in, screenshot, step

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCHEMA = validation.__file__.replace("validation.py", "schemas/pain.001.001.03.xsd")


def test_host_is_paid_through_a_payout_batch(
    new_context, live_server, screenshot_dir, csp_watch, settings, tmp_path
):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    settings.HOST_PAYOUT_DELAY_DAYS = 3
    url = live_server.url
    axe = AxeAudit(url)
    host = UserFactory(email="payee.host@example.org", first_name="Hana")
    ended = timezone.now() - timedelta(days=4)
    event = EventFactory(
        host=host,
        title="Mezze night",
        starts_at=ended - timedelta(hours=3),
        ends_at=ended,
        booking_deadline=ended - timedelta(hours=5),
        cancellation_deadline=ended - timedelta(days=2),
    )
    booked(event, seats=2)  # €50 paid: €25 for the host, €25 pledged

    host_page = new_context().new_page()
    with step("the host adds payout details (password asked again) and sees them masked"):
        log_in(host_page, url, email=host.email)
        host_page.goto(f"{url}/en/events/mine/")
        host_page.get_by_role("link", name="Earnings and payouts").click()
        expect(host_page.get_by_role("heading", name="Earnings", exact=True)).to_be_visible()
        host_page.get_by_role("link", name="Add payout details").click()
        host_page.get_by_label("Account holder").fill("Hana Host")
        host_page.get_by_label("IBAN").fill("BE68 5390 0754 7035")  # a typo
        host_page.get_by_label("Your Meetsies password").fill("correct-horse-battery")
        host_page.get_by_role("button", name="Save payout details").click()
        expect(host_page.locator("main")).to_contain_text("This is not a valid IBAN")
        assert not PayoutDetails.objects.exists()
        host_page.get_by_label("IBAN").fill("BE68 5390 0754 7034")
        host_page.get_by_label("Your Meetsies password").fill("correct-horse-battery")
        host_page.get_by_role("button", name="Save payout details").click()
        expect(host_page.locator("#payout-details")).to_contain_text("BE68 **** **** 7034")
        expect(host_page.locator('[data-total="pending"]')).to_have_text("€25.00")
        axe.check(host_page, "earnings")

    with step("the event ends: the beat task completes it and the share becomes payable"):
        assert events_complete_ended() == [event.pk]
        assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED
        host_page.reload()
        expect(host_page.locator('[data-total="payable"]')).to_have_text("€25.00")

    with step("staff with the payout permission create a batch and download the pain.001"):
        staff = UserFactory(email="payouts@meetsies.example", is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="manage_payouts"))
        admin_page = new_context().new_page()
        log_in(admin_page, url, email=staff.email, next_url="/en/admin/")
        expect(admin_page).to_have_url(re.compile(r"/en/admin/$"))
        admin_page.get_by_role("link", name="Payout batches").click()
        admin_page.get_by_role("link", name="Create a payout batch").click()
        admin_page.get_by_role("button", name="Create the batch").click()
        expect(admin_page.locator(".messagelist")).to_contain_text("2 lines, €50.00")
        screenshot(admin_page, screenshot_dir, "admin-payout-batch")
        with admin_page.expect_download() as download_info:
            admin_page.get_by_role("link", name="Download pain.001 file").click()
        path = tmp_path / "batch.xml"
        download_info.value.save_as(path)
        xml = path.read_text()
        xmlschema.XMLSchema(SCHEMA).validate(xml)
        assert "BE68539007547034" in xml and '<InstdAmt Ccy="EUR">25.00</InstdAmt>' in xml
        admin_page.get_by_role("button", name="Mark executed by the bank").click()
        expect(admin_page.locator(".messagelist")).to_contain_text("marked executed")
        assert PayoutBatch.objects.get().status == PayoutBatch.Status.EXECUTED

    with step("the host's Earnings page shows the share paid, with the date and reference"):
        host_page.reload()
        expect(host_page.locator('[data-total="paid"]')).to_have_text("€25.00")
        expect(host_page.locator('[data-total="payable"]')).to_have_text("€0.00")
        payouts = host_page.locator("#payouts tbody tr")
        expect(payouts).to_have_count(1)
        expect(payouts.first).to_contain_text(PayoutBatch.objects.get().reference)
        expect(payouts.first).to_contain_text("Paid")
        screenshot(host_page, screenshot_dir, "earnings-paid")
        axe.check(host_page, "earnings paid")

    axe.assert_clean()
    csp_watch.assert_clean()
