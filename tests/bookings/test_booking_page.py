"""The booking page: money after a refund, the facts' type, add to calendar (issue 11)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Payment, Refund

pytestmark = pytest.mark.django_db


def _booking(event, guest, *, status, refunded=0, paid=True):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(
        status=status,
        confirmed_at=now,
        cancelled_at=now if status in ("cancelled", "refunded") else None,
    )
    if paid:
        payment = Payment.objects.create(
            booking=booking,
            stripe_payment_intent_id=f"pi_{booking.reference}",
            amount_cents=booking.gross_cents,
            status=Payment.Status.SUCCEEDED,
            refunded_cents=refunded,
        )
        if refunded:
            Refund.objects.create(
                payment=payment,
                stripe_refund_id=f"re_{booking.reference}",
                amount_cents=refunded,
                reason=Refund.Reason.GUEST_CANCELLED,
            )
    booking.refresh_from_db()
    return booking


def _page(client, booking):
    client.force_login(booking.guest)
    response = client.get(reverse("bookings:detail", kwargs={"reference": booking.reference}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_fully_refunded_booking_no_longer_promises_money_to_kiron(client, event, guest):
    booking = _booking(event, guest, status="refunded", refunded=5000)
    html = _page(client, booking)
    assert "goes to Kiron" not in html
    assert "To Kiron's Cook4Chance fund" not in html
    assert "€50.00 was refunded to your card." in html


def test_a_confirmed_booking_shows_its_split(client, event, guest):
    html = _page(client, _booking(event, guest, status="confirmed"))
    assert "€25.00 of your €50.00 goes to Kiron's Cook4Chance fund" in html


def test_a_cancellation_without_refund_keeps_the_split(client, event, guest):
    html = _page(client, _booking(event, guest, status="cancelled"))
    assert "€25.00 of your €50.00 goes to Kiron's Cook4Chance fund" in html


def test_when_where_host_are_plain_facts_not_display_figures(client, event, guest):
    html = _page(client, _booking(event, guest, status="confirmed"))
    assert 'class="stat-row"' not in html
    assert 'class="facts booking-facts"' in html


def test_money_split_puts_the_total_last_under_its_rule(client, event, guest):
    html = _page(client, _booking(event, guest, status="confirmed"))
    split = html[
        html.index("data-money-split") : html.index("</dl>", html.index("data-money-split"))
    ]
    assert split.index('data-split="host"') < split.index('data-split="gross"')
    assert split.index('data-split="pledge"') < split.index('data-split="gross"')


def test_booking_page_offers_add_to_calendar_with_the_address(client, event, guest):
    booking = _booking(event, guest, status="confirmed")
    html = _page(client, booking)
    url = reverse("bookings:ics", kwargs={"reference": booking.reference})
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Rue du Bailli 12" in body
    assert f"booking-{booking.reference}@meetsies" in body


def test_booking_calendar_of_an_unconfirmed_booking_has_no_address(client, event, guest):
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=1)
    client.force_login(guest)
    response = client.get(reverse("bookings:ics", kwargs={"reference": booking.reference}))
    assert response.status_code == 200
    assert "Rue du Bailli" not in response.content.decode()


def test_booking_calendar_is_404_for_someone_else(client, event, guest, user):
    booking = _booking(event, guest, status="confirmed")
    client.force_login(user)
    response = client.get(reverse("bookings:ics", kwargs={"reference": booking.reference}))
    assert response.status_code == 404


def test_admin_pages_have_the_favicon_and_the_ledger_its_stylesheet(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "img/favicon.svg" in html
    html = admin_client.get(reverse("admin:donations_ledgerentry_changelist")).content.decode()
    assert "donations/admin.css" in html
    assert "img/favicon.svg" in html
