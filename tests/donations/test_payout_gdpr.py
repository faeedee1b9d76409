"""A host's payout details are in their data export and forgotten when they erase the account."""

import pytest

from accounts.selectors import user_data_export
from accounts.services import user_erase
from donations.models import PayoutDetails, PayoutLine
from donations.services_payouts import payout_batch_create
from tests.factories import UserFactory

from .money import IBAN_HOST, booked, details_for, ended_event

pytestmark = pytest.mark.django_db


def test_export_has_the_details_and_payouts_and_erasure_forgets_the_details(settings):
    settings.PAYOUT_MINIMUM_CENTS = 100
    host = UserFactory()
    details_for(host)
    booked(ended_event(host=host), seats=2)
    payout_batch_create(user=None)

    exported = user_data_export(user=host)["payouts"]
    assert exported["payout_details"]["iban"] == IBAN_HOST
    assert [line["amount_cents"] for line in exported["payouts"]] == [2500]

    user_erase(user_id=host.pk)

    assert not PayoutDetails.objects.filter(user=host).exists()
    assert PayoutLine.objects.filter(account__host=host).count() == 1  # the bank record stays
