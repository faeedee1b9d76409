"""Two payout batches at the same moment pay each cent once (PostgreSQL row locks).

The second test removes the account locks and widens the window: both batches then read the
same payable entries, and only the unique live binding per entry stops the second payment. So
the first test could fail if the lock were missing.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from donations import services_payouts
from donations.models import MoneyAccount, PayoutLine, PayoutLineEntry
from tests.factories import UserFactory

from .money import booked, details_for, ended_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCHES = 4


def run_batches_at_once() -> list[str]:
    barrier = threading.Barrier(BATCHES)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait(timeout=10)
            try:
                services_payouts.payout_batch_create(user=None)
                result = "batch"
            except ValidationError as error:
                result = error.code
            except IntegrityError:
                result = "constraint"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(BATCHES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def two_payable_hosts(settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    hosts = [UserFactory(), UserFactory()]
    for host in hosts:
        details_for(host)
        booked(ended_event(host=host), seats=2)
    return hosts


def test_concurrent_batches_pay_every_beneficiary_once(two_payable_hosts):
    outcomes = run_batches_at_once()

    assert sorted(outcomes) == ["batch"] + ["no_eligible_lines"] * (BATCHES - 1)
    assert PayoutLine.objects.count() == 3  # two hosts and Kiron, once each
    for account in MoneyAccount.objects.exclude(key="held"):
        assert account.balance_cents == 0, account.key


def test_without_the_lock_the_second_payment_is_stopped_only_by_the_constraint(
    two_payable_hosts, monkeypatch
):
    original = services_payouts._lock_beneficiaries

    def unlocked(*, keys):
        found = {account.key: account for account in MoneyAccount.objects.filter(key__in=keys)}
        time.sleep(0.5)  # every batch reads the same payable entries before any writes
        return found or original(keys=keys)

    monkeypatch.setattr(services_payouts, "_lock_beneficiaries", unlocked)

    outcomes = run_batches_at_once()

    assert outcomes.count("constraint") > 0, outcomes  # the race is real
    assert outcomes.count("batch") == 1, outcomes
    bound = PayoutLineEntry.objects.filter(released=False).values_list("entry_id", flat=True)
    assert len(bound) == len(set(bound))
    assert PayoutLine.objects.count() == 3
