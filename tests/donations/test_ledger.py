"""The ledger is append-only: in the ORM, in bulk, and (on PostgreSQL) in the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from donations import services
from donations.models import LedgerEntry, LedgerIsAppendOnly

from .factories import paid_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(fund) -> LedgerEntry:
    return services.pledge_record(payment_id=paid_booking(seats=2).pk)


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(entry):
    entry.amount_cents = 1
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_cents=1)
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount_cents == 2500


@pytest.mark.postgres
def test_postgres_refuses_raw_update_and_delete(entry):
    table = LedgerEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET amount_cents = 1 WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount_cents == 2500
