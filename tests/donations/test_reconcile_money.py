"""``reconcile_money`` and staff refunds against localstripe: what Stripe holds reaches our books."""

import io

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from bookings import services
from bookings.models import Booking, Refund
from donations.models import MoneyAccount, MoneyTransfer
from tests.bookings.conftest import CARD_OK, make_payment_method
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.localstripe, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_on_localstripe(localstripe, fund):
    event = EventFactory()
    guest = UserFactory()
    booking = services.booking_hold(event_id=event.pk, guest=guest, seats=2)
    attempt = services.booking_pay(
        booking_id=booking.pk,
        guest=guest,
        payment_method_id=make_payment_method(localstripe, CARD_OK),
    )
    assert attempt.status == "succeeded"
    return Booking.objects.select_related("payment", "event").get(pk=booking.pk)


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("reconcile_money", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_everything_agrees_after_a_payment(paid_on_localstripe):
    code, output = run()
    assert code == 0, output
    assert "All money agrees" in output
    assert MoneyAccount.objects.get(key="held").balance_cents == -5000


def test_a_refund_made_directly_on_localstripe_is_imported_and_reversed(
    localstripe, paid_on_localstripe
):
    payment = paid_on_localstripe.payment
    made = requests.post(
        f"{localstripe}/v1/refunds",
        data={"payment_intent": payment.stripe_payment_intent_id, "amount": 1500},
        auth=(settings.STRIPE_SECRET_KEY, ""),
        timeout=5,
    )
    made.raise_for_status()
    stripe_refund_id = made.json()["id"]

    code, output = run()

    assert code == 0, output
    assert f"imported refund {stripe_refund_id} of 1500 cents" in output
    refund = Refund.objects.get()
    assert (refund.stripe_refund_id, refund.reason, refund.amount_cents) == (
        stripe_refund_id,
        Refund.Reason.STRIPE,
        1500,
    )
    assert MoneyAccount.objects.get(key="held").balance_cents == -3500
    assert MoneyAccount.objects.get(key="kiron").balance_cents == 2500 - 750
    # Running it again imports nothing more.
    code, output = run()
    assert code == 0 and "imported" not in output
    assert Refund.objects.count() == 1


def test_a_difference_is_printed_in_cents_and_exits_1(paid_on_localstripe):
    # Something wrote a stored balance behind the ledger's back.
    assert MoneyAccount.objects.filter(key="kiron").update(balance_cents=2507) == 1

    code, output = run("--no-stripe")

    assert code == 1
    assert "account kiron: stored balance 2507, entries sum to 2500 (difference 7)" in output
    assert "all balances sum to 7 cents, not 0" in output


def test_a_refund_recorded_on_stripe_but_not_by_us_and_not_importable_is_a_difference(
    localstripe, paid_on_localstripe
):
    """Stripe refunded more than the payment (localstripe allows it): we cap and say so."""
    payment = paid_on_localstripe.payment
    for amount in (5000, 100):
        requests.post(
            f"{localstripe}/v1/refunds",
            data={"payment_intent": payment.stripe_payment_intent_id, "amount": amount},
            auth=(settings.STRIPE_SECRET_KEY, ""),
            timeout=5,
        ).raise_for_status()

    code, output = run()

    assert code == 1
    assert "Stripe refunded 5100 cents, we recorded 5000 (difference 100)" in output


def test_staff_refund_from_admin_needs_the_permission_and_goes_through_stripe(
    client, paid_on_localstripe
):
    payment = paid_on_localstripe.payment
    url = reverse("admin:bookings_payment_refund", args=[payment.pk])
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.post(url, {"amount": "10", "note": "x"}).status_code == 403

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["refund_payment", "view_payment"])
    )
    too_much = client.post(url, {"amount": "60.00", "note": "Guest was ill"})
    assert too_much.status_code == 400
    assert "At most €50.00 can still be refunded." in too_much.content.decode()
    assert client.post(url, {"amount": "12.345", "note": "x"}).status_code == 400
    assert not Refund.objects.exists()

    done = client.post(url, {"amount": "12.50", "note": "Guest was ill"}, follow=True)

    assert "Refunded €12.50." in done.content.decode()
    refund = Refund.objects.get()
    assert refund.reason == Refund.Reason.STAFF
    assert refund.amount_cents == 1250
    assert refund.note.endswith("Guest was ill")
    assert MoneyTransfer.objects.filter(kind="refund").count() == 1
    code, output = run()
    assert code == 0, output
