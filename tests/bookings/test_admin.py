"""What Kiron staff see in admin: what the fund needs, not guests' details or addresses
(issue 8, item 1). Guests' emails and dietary notes show only with
``bookings.view_guest_details``; exact addresses only with ``events.view_event_address``."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from donations.bootstrap import ensure_kiron_staff_group
from tests.donations.factories import paid_booking
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = "Severe peanut allergy, please no satay"
ADDRESS = "Avenue Secrète 99, 1180 Uccle"
GUEST_EMAIL = "guest.private@example.org"


@pytest.fixture
def payment(db):
    event = EventFactory(address=ADDRESS, title="Mezze evening")
    payment = paid_booking(event=event, guest=UserFactory(email=GUEST_EMAIL))
    payment.booking.dietary_notes = NOTES
    payment.booking.save(update_fields=["dietary_notes"])
    return payment


@pytest.fixture
def kiron_client(client):
    staff = UserFactory(email="staff@kiron.example", is_staff=True)
    staff.groups.add(ensure_kiron_staff_group())
    client.force_login(staff)
    client.user = staff
    return client


def _admin_pages(payment) -> list[str]:
    booking = payment.booking
    return [
        reverse("admin:bookings_booking_changelist"),
        reverse("admin:bookings_booking_change", args=[booking.pk]),
        reverse("admin:bookings_payment_changelist"),
        reverse("admin:bookings_payment_change", args=[payment.pk]),
    ]


def test_kiron_staff_see_the_booking_money_but_not_notes_emails_or_address(kiron_client, payment):
    for url in _admin_pages(payment):
        response = kiron_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert NOTES not in html, url
        assert GUEST_EMAIL not in html, url
        assert "Secrète" not in html, url
    change = kiron_client.get(_admin_pages(payment)[1]).content.decode()
    assert payment.booking.reference in change
    assert "Mezze evening" in change


def test_kiron_staff_cannot_search_bookings_by_guest_email(kiron_client, payment):
    response = kiron_client.get(reverse("admin:bookings_booking_changelist"), {"q": GUEST_EMAIL})
    assert payment.booking.reference not in response.content.decode()


def test_kiron_staff_cannot_open_events_or_users_in_admin(kiron_client, payment):
    event = payment.booking.event
    for url in (
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:accounts_user_changelist"),
    ):
        response = kiron_client.get(url)
        assert response.status_code == 403, url
        assert "Secrète" not in response.content.decode()


def test_view_guest_details_shows_them(kiron_client, payment):
    kiron_client.user.user_permissions.add(Permission.objects.get(codename="view_guest_details"))
    html = kiron_client.get(_admin_pages(payment)[1]).content.decode()
    assert NOTES in html
    assert GUEST_EMAIL in html


def test_the_event_address_needs_its_own_permission(client, payment):
    support = UserFactory(is_staff=True)
    support.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(support)
    url = reverse("admin:events_event_change", args=[payment.booking.event_id])
    assert "Secrète" not in client.get(url).content.decode()
    support.user_permissions.add(Permission.objects.get(codename="view_event_address"))
    assert "Secrète" in client.get(url).content.decode()


def test_the_ledgers_host_filter_names_hosts_without_their_emails(kiron_client, payment):
    from donations import services as donation_services
    from donations.bootstrap import ensure_cook4chance_fund

    ensure_cook4chance_fund()
    host = payment.booking.event.host
    host.first_name, host.last_name = "", ""
    host.save(update_fields=["first_name", "last_name"])
    donation_services.pledge_record(payment_id=payment.pk)
    html = kiron_client.get(reverse("admin:donations_ledgerentry_changelist")).content.decode()
    assert f"Host #{host.pk}" in html
    assert host.email not in html
    assert GUEST_EMAIL not in html


def test_event_changes_show_the_old_and_new_address_only_with_the_permission(client, payment):
    from events.models import EventChange

    change = EventChange.objects.create(
        event=payment.booking.event, changes={"address": ["Old Street 1", ADDRESS]}
    )
    support = UserFactory(is_staff=True)
    support.user_permissions.add(Permission.objects.get(codename="view_eventchange"))
    client.force_login(support)
    url = reverse("admin:events_eventchange_change", args=[change.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Secrète" not in page.content.decode()
    support.user_permissions.add(Permission.objects.get(codename="view_event_address"))
    assert "Secrète" in client.get(url).content.decode()
