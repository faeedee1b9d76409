"""``load_demo_data``: idempotent, prints the demo logins, and the Kiron login works."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from donations.bootstrap import KIRON_STAFF_GROUP
from donations.models import Fund

pytestmark = pytest.mark.django_db


def test_load_demo_data_twice_creates_everything_once(client):
    first, second = io.StringIO(), io.StringIO()
    call_command("load_demo_data", stdout=first)
    call_command("load_demo_data", stdout=second)

    assert Fund.objects.filter(slug="cook4chance", tranche_cents=40_000).count() == 1
    kiron = User.objects.get(email="kiron@meetsies.local")
    assert kiron.is_staff and not kiron.is_superuser
    assert kiron.groups.filter(name=KIRON_STAFF_GROUP).exists()
    assert EmailAddress.objects.get(user=kiron).verified
    assert User.objects.get(email="admin@meetsies.local").is_superuser
    assert (
        User.objects.filter(email__in=["kiron@meetsies.local", "admin@meetsies.local"]).count() == 2
    )
    for output in (first.getvalue(), second.getvalue()):
        assert "kiron@meetsies.local" in output and "meetsies-demo-2024" in output
        assert "admin@meetsies.local" in output
        assert "amira@demo.meetsies.local" in output  # a demo host, printed once
        assert output.count("amira@demo.meetsies.local") == 1

    # The printed password logs Kiron staff into the admin, where the fund is visible.
    assert client.login(email="kiron@meetsies.local", password="meetsies-demo-2024")
    fund = Fund.objects.get(slug="cook4chance")
    assert client.get(reverse("admin:donations_fund_change", args=[fund.pk])).status_code == 200


def test_migrations_created_the_fund_and_the_kiron_staff_group():
    from django.contrib.auth.models import Group

    assert Fund.objects.filter(slug="cook4chance", name="Kiron Cook4Chance").exists()
    codenames = set(
        Group.objects.get(name=KIRON_STAFF_GROUP).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert codenames == {
        ("donations", "view_fund"),
        ("donations", "view_ledgerentry"),
        ("donations", "view_tranche"),
        ("donations", "view_disbursement"),
        ("donations", "add_disbursement"),
        ("donations", "change_disbursement"),
        ("bookings", "view_booking"),
        ("bookings", "view_payment"),
    }
