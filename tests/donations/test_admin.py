"""Kiron staff in Django admin: permissions, the read-only ledger, CSV export, laptops."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from donations import services
from donations.models import Disbursement, LedgerEntry
from tests.factories import EventFactory, UserFactory

from .factories import paid_booking, refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiron_client(client, kiron_group):
    staff = UserFactory(email="staff@kiron.example", is_staff=True)
    staff.groups.add(kiron_group)
    client.force_login(staff)
    client.user = staff
    return client


@pytest.fixture
def other_staff_client(client, kiron_group):
    staff = UserFactory(email="support@meetsies.example", is_staff=True)
    client.force_login(staff)
    return client


@pytest.fixture
def superuser_client(client, fund):
    admin_user = UserFactory(email="root@meetsies.example", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    return client


@pytest.fixture
def ledger(fund):
    """€20.00 pledged at Hana's dinner; €250.00 pledged at Ben's, then half refunded (+1 cent)."""
    hana = UserFactory(email="hana@example.org", first_name="Hana")
    ben = UserFactory(email="ben@example.org", first_name="Ben")
    hana_dinner = EventFactory(host=hana, title="Hana's mezze")
    ben_dinner = EventFactory(host=ben, title="=HYPERLINK(evil)")
    first = paid_booking(event=hana_dinner, seats=1, gross_cents=4000, pledge_cents=2000)
    second = paid_booking(event=ben_dinner, seats=2, gross_cents=50_000, pledge_cents=25_000)
    services.pledge_record(payment_id=first.pk)
    services.pledge_record(payment_id=second.pk)
    services.reversal_record(refund_id=refund(second, 25_001).pk)
    fund.refresh_from_db()
    return {"hana": hana, "ben": ben, "hana_dinner": hana_dinner, "ben_dinner": ben_dinner}


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


# ---------------------------------------------------------------- who sees what


def test_kiron_staff_see_the_fund_ledger_and_tranches(kiron_client, fund, ledger):
    index = kiron_client.get(reverse("admin:index"))
    assert index.status_code == 200
    for name in ("Funds", "Ledger entries", "Tranches", "Disbursements (laptops bought)"):
        assert name in index.content.decode()

    page = kiron_client.get(reverse("admin:donations_fund_change", args=[fund.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # 25_000 × 25_001 // 50_000 = 12_500 reversed (12_500.5 rounded down).
    assert 'id="fund-pledged">€270.00' in html
    assert 'id="fund-reversed">€125.00' in html
    assert "<strong>€145.00</strong>" in html
    assert 'id="fund-complete">0' in html
    assert 'id="fund-needed">€255.00' in html
    assert "<svg" in html and "<polyline" in html
    assert 'value="36"' in html  # progress bar: 145/400
    assert kiron_client.get(reverse("admin:donations_ledgerentry_changelist")).status_code == 200
    assert kiron_client.get(reverse("admin:donations_tranche_changelist")).status_code == 200
    # Bookings' money fields: view only.
    assert kiron_client.get(reverse("admin:bookings_booking_changelist")).status_code == 200
    assert kiron_client.get(reverse("admin:bookings_payment_changelist")).status_code == 200


def test_staff_outside_the_group_see_none_of_it(other_staff_client, fund, ledger):
    index = other_staff_client.get(reverse("admin:index"))
    assert "Ledger entries" not in index.content.decode()
    assert "Funds" not in index.content.decode()
    for name in (
        "admin:donations_fund_changelist",
        "admin:donations_ledgerentry_changelist",
        "admin:donations_ledgerentry_export",
        "admin:donations_tranche_changelist",
        "admin:donations_disbursement_add",
    ):
        assert other_staff_client.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize("who", ["anonymous", "guest"])
def test_non_staff_are_sent_to_the_admin_login(client, fund, who):
    if who == "guest":
        client.force_login(UserFactory())
    for name in ("admin:donations_fund_changelist", "admin:donations_ledgerentry_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# ---------------------------------------------------------------- ledger is read-only


def test_ledger_cannot_be_added_changed_or_deleted_even_by_a_superuser(superuser_client, ledger):
    entry = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PLEDGE).first()
    change_url = reverse("admin:donations_ledgerentry_change", args=[entry.pk])
    delete_url = reverse("admin:donations_ledgerentry_delete", args=[entry.pk])

    assert superuser_client.get(reverse("admin:donations_ledgerentry_add")).status_code == 403
    view = superuser_client.get(change_url)
    assert view.status_code == 200 and 'name="amount_cents"' not in view.content.decode()
    assert superuser_client.post(change_url, {"amount_cents": 1}).status_code == 403
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = superuser_client.post(
        reverse("admin:donations_ledgerentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert LedgerEntry.objects.filter(pk=entry.pk, amount_cents=entry.amount_cents).exists()
    assert changelist.status_code in (200, 302)
    assert LedgerEntry.objects.count() == 3


def test_ledger_filters_by_host_event_and_kind(kiron_client, ledger):
    url = reverse("admin:donations_ledgerentry_changelist")
    page = kiron_client.get(url)
    assert "Hana" in page.content.decode() and "Ben" in page.content.decode()

    by_host = kiron_client.get(url, {"host": ledger["ben"].pk})
    assert [e.reference[:7] for e in by_host.context["cl"].result_list] == ["refund:", "payment"]
    by_event = kiron_client.get(url, {"event": ledger["hana_dinner"].pk})
    assert by_event.context["cl"].result_count == 1
    by_kind = kiron_client.get(url, {"kind__exact": "reversal"})
    assert by_kind.context["cl"].result_count == 1
    today = timezone.localdate()
    by_day = kiron_client.get(
        url,
        {
            "created_at__year": today.year,
            "created_at__month": today.month,
            "created_at__day": today.day,
        },
    )
    assert by_day.context["cl"].result_count == 3
    by_other_year = kiron_client.get(url, {"created_at__year": today.year - 1})
    assert by_other_year.context["cl"].result_count == 0


# ---------------------------------------------------------------- CSV export


def test_csv_export_of_the_filtered_ledger(kiron_client, ledger):
    response = kiron_client.get(reverse("admin:donations_ledgerentry_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert [
        (r["kind"], r["amount_cents"], r["amount_eur"], r["net_after_cents"]) for r in rows
    ] == [
        ("pledge", "2000", "20.00", "2000"),
        ("pledge", "25000", "250.00", "27000"),
        ("reversal", "-12500", "-125.00", "14500"),
    ]
    assert rows[0]["event"] == "Hana's mezze"
    assert rows[1]["event"] == "'=HYPERLINK(evil)"  # spreadsheet formula neutralised
    assert rows[0]["host_id"] == str(ledger["hana"].pk)
    assert rows[2]["reference"].startswith("refund:")

    filtered = _csv_rows(
        kiron_client.get(reverse("admin:donations_ledgerentry_export"), {"kind__exact": "pledge"})
    )
    assert [r["kind"] for r in filtered] == ["pledge", "pledge"]


def test_csv_export_action_on_selected_entries(kiron_client, ledger):
    reversal = LedgerEntry.objects.get(kind=LedgerEntry.Kind.REVERSAL)
    response = kiron_client.post(
        reverse("admin:donations_ledgerentry_changelist"),
        {"action": "export_csv", "_selected_action": [reversal.pk]},
    )
    rows = _csv_rows(response)
    assert len(rows) == 1 and rows[0]["amount_cents"] == "-12500"


# ---------------------------------------------------------------- laptops bought


def _add_laptop(client, fund, **overrides):
    data = {
        "fund": fund.pk,
        "bought_on": timezone.localdate().isoformat(),
        "amount_cents": 40_000,
        "student_reference": "KCS-2026-001",
        "note": "Laptop for the web development track",
        **overrides,
    }
    return client.post(reverse("admin:donations_disbursement_add"), data)


def test_kiron_staff_record_a_laptop_when_a_tranche_is_complete(kiron_client, fund):
    response = _add_laptop(kiron_client, fund)
    assert response.status_code == 200
    assert "No complete tranche is available" in response.content.decode()
    assert Disbursement.objects.count() == 0

    payment = paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000)
    services.pledge_record(payment_id=payment.pk)
    response = _add_laptop(kiron_client, fund)
    assert response.status_code == 302
    laptop = Disbursement.objects.get()
    assert laptop.recorded_by == kiron_client.user
    assert laptop.note == "Laptop for the web development track"

    again = _add_laptop(kiron_client, fund, student_reference="KCS-2026-002")
    assert "No complete tranche is available" in again.content.decode()
    assert Disbursement.objects.count() == 1

    # Correcting the note of a recorded laptop is allowed.
    change = kiron_client.post(
        reverse("admin:donations_disbursement_change", args=[laptop.pk]),
        {
            "bought_on": laptop.bought_on.isoformat(),
            "amount_cents": 39_900,
            "student_reference": "KCS-2026-001",
            "note": "Refurbished laptop",
        },
    )
    assert change.status_code == 302
    laptop.refresh_from_db()
    assert (laptop.note, laptop.amount_cents) == ("Refurbished laptop", 39_900)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount_cents": 0}, "The amount must be more than zero cents."),
        ({"amount_cents": -5}, "greater than or equal to 0"),
        ({"bought_on": ""}, "This field is required."),
    ],
)
def test_bad_laptop_input_gets_a_clear_error(kiron_client, fund, overrides, message):
    payment = paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000)
    services.pledge_record(payment_id=payment.pk)
    response = _add_laptop(kiron_client, fund, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Disbursement.objects.count() == 0
