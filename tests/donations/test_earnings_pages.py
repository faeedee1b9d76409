"""The host's Earnings page and payout details: only the host, masked IBAN, password to change."""

import pytest
from django.urls import reverse

from donations import services_payouts
from donations.models import PayoutDetails
from tests.factories import EventFactory, UserFactory

from .money import IBAN_HOST, booked, details_for, ended_event, refunded

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def host_client(client):
    host = UserFactory()
    EventFactory(host=host)
    client.force_login(host)
    client.host = host
    return client


def post_details(client, **data):
    return client.post(
        reverse("earnings:payout_details"),
        {"holder_name": "Hana Host", "iban": "BE68 5390 0754 7034", "password": PASSWORD, **data},
    )


def test_anonymous_visitors_and_non_hosts_get_404(client):
    assert client.get(reverse("earnings:index")).status_code == 404
    assert client.get(reverse("earnings:payout_details")).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("earnings:index")).status_code == 404
    assert post_details(client).status_code == 404
    assert not PayoutDetails.objects.exists()


def test_a_host_adds_payout_details_and_sees_the_iban_masked(host_client):
    response = post_details(host_client)

    assert response.status_code == 302
    details = PayoutDetails.objects.get(user=host_client.host)
    assert details.iban == IBAN_HOST
    page = host_client.get(reverse("earnings:index")).content.decode()
    assert "BE68 **** **** 7034" in page
    assert IBAN_HOST not in page
    assert "5390" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"iban": "BE68 5390 0754 7035"}, "iban", "This is not a valid IBAN"),
        ({"iban": "hello"}, "iban", "This is not a valid IBAN"),
        ({"holder_name": "Hana\x07 Host"}, "holder_name", "characters a bank cannot accept"),
        ({"holder_name": "   "}, "holder_name", "Enter the account holder&#x27;s name"),
        ({"password": "wrong-password"}, "password", "That is not your password"),
    ],
    ids=["checksum", "garbage", "control-character", "blank-name", "wrong-password"],
)
def test_bad_input_gets_400_a_clear_message_and_saves_nothing(host_client, data, field, message):
    response = post_details(host_client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PayoutDetails.objects.exists()


def test_changing_the_iban_needs_the_password(host_client):
    details_for(host_client.host)

    refused = post_details(host_client, iban="NL91 ABNA 0417 1643 00", password="")
    assert refused.status_code == 400
    assert PayoutDetails.objects.get().iban == IBAN_HOST

    accepted = post_details(host_client, iban="NL91 ABNA 0417 1643 00")
    assert accepted.status_code == 302
    details = PayoutDetails.objects.get()
    assert details.iban == "NL91ABNA0417164300"
    assert details.bic == "ABNANL2A"


def test_the_page_shows_pending_payable_paid_and_a_deduction_plainly(host_client, settings):
    settings.PAYOUT_MINIMUM_CENTS = 100
    host = host_client.host
    details_for(host)
    paid = booked(ended_event(host=host, title="Paid dinner"), seats=2)
    services_payouts.payout_batch_create(user=None)
    refunded(paid, 2000)  # after payout: €10 of the host share comes back off
    booked(ended_event(host=host, days_ago=1, title="Last night"), seats=2)

    page = host_client.get(reverse("earnings:index")).content.decode()

    assert "Paid dinner" in page and "Last night" in page
    assert 'data-total="pending">€25.00' in page
    assert 'data-total="paid">€25.00' in page
    assert 'data-total="deduction">-€10.00' in page
    assert "We take €10.00 from your next payouts first" in page
    assert "MEETSIES-" in page  # the payout's reference


def test_earnings_page_in_french_formats_amounts_the_french_way(host_client):
    booked(ended_event(host=host_client.host, days_ago=1), seats=2)
    page = host_client.get("/fr/earnings/").content.decode()
    assert "25,00 €" in page


@pytest.mark.parametrize("events", [1, 30])
def test_the_page_runs_a_fixed_number_of_queries(
    host_client, django_assert_max_num_queries, events
):
    for _ in range(events):
        booked(ended_event(host=host_client.host), seats=2)
    with django_assert_max_num_queries(13):
        host_client.get(reverse("earnings:index"))
