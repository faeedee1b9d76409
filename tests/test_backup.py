"""`make backup` and `make restore`: a dump restored into a fresh database has the same money."""

import subprocess

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from bookings.models import Refund
from donations import services as fund_services
from donations.bootstrap import ensure_cook4chance_fund
from tests.donations.factories import paid_booking

pytestmark = pytest.mark.postgres

LEDGER_SUMS = (
    "SELECT kind, count(*), coalesce(sum(amount_cents), 0) FROM donations_ledgerentry "
    "GROUP BY kind ORDER BY kind"
)
TOTALS = "SELECT pledged_cents, reversed_cents FROM donations_fund ORDER BY id"


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _admin(url: str, *statements: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


def _read(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_the_same_ledger(tmp_path):
    ensure_cook4chance_fund()
    for seats in (1, 2, 3):
        payment = paid_booking(seats=seats)
        fund_services.pledge_record(payment_id=payment.pk)
    refunded = paid_booking(seats=2)
    fund_services.pledge_record(payment_id=refunded.pk)
    refund = Refund.objects.create(
        payment=refunded, stripe_refund_id="re_backup", amount_cents=1000, reason="staff"
    )
    fund_services.reversal_record(refund_id=refund.pk)
    source = _url(connection.settings_dict["NAME"])
    before = _read(source, LEDGER_SUMS), _read(source, TOTALS)
    assert len(before[0]) == 2  # pledges and a reversal

    dumped = subprocess.run(
        ["make", "-s", "backup", f"DATABASE_URL={source}", f"BACKUP_DIR={tmp_path}"],
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    dump = dumped.stdout.strip().splitlines()[-1]
    fresh = f"{connection.settings_dict['NAME']}_restored"
    admin = _url("postgres")
    _admin(admin, f'DROP DATABASE IF EXISTS "{fresh}"', f'CREATE DATABASE "{fresh}"')
    try:
        subprocess.run(
            ["make", "-s", "restore", f"DATABASE_URL={_url(fresh)}", f"FILE={dump}"],
            cwd=settings.BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
        )
        after = _read(_url(fresh), LEDGER_SUMS), _read(_url(fresh), TOTALS)
        # The append-only trigger came back with the data.
        with pytest.raises(psycopg2.Error):
            _read(_url(fresh), "UPDATE donations_ledgerentry SET amount_cents = 0 RETURNING id")
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{fresh}"')
    assert after == before


def test_backup_without_a_database_url_says_what_it_needs(tmp_path):
    result = subprocess.run(
        ["make", "-s", "backup", "DATABASE_URL=", f"BACKUP_DIR={tmp_path}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "needs DATABASE_URL" in result.stdout + result.stderr
