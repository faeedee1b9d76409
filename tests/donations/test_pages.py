"""The public impact page, the fund tags on other pages, and query counts that do not grow."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from donations import services
from donations.models import Disbursement, Fund, LedgerEntry
from tests.factories import EventFactory, UserFactory

from .factories import paid_booking, refund

pytestmark = pytest.mark.django_db


def test_impact_page_shows_the_fund(client, fund):
    dinner = EventFactory(title="Syrian feast")
    for seats in (2, 3):
        services.pledge_record(payment_id=paid_booking(event=dinner, seats=seats).pk)
    # 5 seats × €25 × 50% = €62.50; a big donor dinner completes the first laptop.
    big = paid_booking(seats=4, gross_cents=80_000, pledge_cents=40_000)
    services.pledge_record(payment_id=big.pk)
    Disbursement.objects.create(
        fund=fund,
        bought_on=timezone.localdate(),
        student_reference="KCS-SECRET-7",
        note="A laptop for Amal's data science course",
    )

    response = client.get(reverse("donations:impact"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="impact-raised">€462.50' in html
    assert 'id="impact-laptops">1' in html
    assert 'id="impact-bought">1' in html
    assert 'id="impact-dinners">2' in html
    assert 'id="impact-guests">9' in html
    assert "Laptop #2: 15% there, €337.50 to go." in html
    assert "A laptop for Amal&#x27;s data science course" in html
    assert "KCS-SECRET-7" not in html  # the student reference is never public
    assert "<svg" in html and "<polyline" in html
    # The chart is plain SVG: the only script is the Share button's external file.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/share.js" defer>']


def test_impact_page_in_french_formats_money_the_french_way(client, fund):
    services.pledge_record(payment_id=paid_booking(seats=1, gross_cents=5000, pledge_cents=2550).pk)
    with translation.override("fr"):  # restores English after the French request
        html = client.get("/fr/impact/").content.decode()
    assert "25,50 €" in html


def test_impact_page_with_an_empty_fund(client, fund):
    response = client.get(reverse("donations:impact"))
    assert response.status_code == 200
    assert "The first laptop has not been bought yet." in response.content.decode()


def test_refunded_bookings_leave_the_dinner_and_guest_counts(client, fund):
    payment = paid_booking(seats=2)
    services.pledge_record(payment_id=payment.pk)
    services.reversal_record(refund_id=refund(payment, payment.amount_cents).pk)
    payment.booking.status = "refunded"
    payment.booking.save()
    html = client.get(reverse("donations:impact")).content.decode()
    assert 'id="impact-dinners">0' in html and 'id="impact-raised">€0.00' in html


def _render(source: str, **context) -> str:
    return Template("{% load fund_tags %}" + source).render(Context(context))


def test_event_laptop_meter(fund):
    dinner = EventFactory(capacity=8, contribution_cents=2500, pledge_percent=50)
    # 8 × €12.50 = €100 of a €400 laptop.
    assert "brings laptop #1 25% closer" in _render("{% event_laptop_meter e %}", e=dinner)
    services.pledge_record(
        payment_id=paid_booking(seats=1, gross_cents=40_000, pledge_cents=40_000).pk
    )
    assert "brings laptop #2 25% closer" in _render("{% event_laptop_meter e %}", e=dinner)
    plain = EventFactory(pledge_percent=0)
    assert _render("{% event_laptop_meter e %}", e=plain).strip() == ""
    feast = EventFactory(capacity=40, contribution_cents=5000, pledge_percent=100)
    assert "pays for laptop #2 on its own" in _render("{% event_laptop_meter e %}", e=feast)


def test_host_pledged_counts_only_that_hosts_dinners_net_of_refunds(fund):
    hana, ben = UserFactory(), UserFactory()
    first = paid_booking(event=EventFactory(host=hana), seats=2)  # €25.00 pledged
    services.pledge_record(payment_id=first.pk)
    services.reversal_record(refund_id=refund(first, 2500).pk)  # half back: €12.50
    services.pledge_record(payment_id=paid_booking(event=EventFactory(host=ben), seats=8).pk)
    assert "pledged €12.50" in _render("{% host_pledged h %}", h=hana)
    assert "pledged €100.00" in _render("{% host_pledged h %}", h=ben)
    assert _render("{% host_pledged h %}", h=UserFactory()).strip() == ""


def test_fund_progress_for_the_home_page(fund):
    services.pledge_record(
        payment_id=paid_booking(seats=1, gross_cents=100_000, pledge_cents=90_000).pk
    )
    html = _render("{% fund_progress %}")
    assert "€900.00 raised so far: 2 laptops funded" in html
    assert 'value="25"' in html and "Laptop #3" in html


# ---------------------------------------------------------------- constant queries


def _ledger_add(fund: Fund, *, first: int, count: int) -> None:
    """Entries ``first`` .. ``first + count - 1`` of €12.50 each, one day apart."""
    bookings = [paid_booking(seats=1).booking for _ in range(max(count // 50, 1))]
    start = timezone.now() - timedelta(days=2000 - first)
    stamps = iter(start + timedelta(days=i) for i in range(count))
    with mock.patch("django.utils.timezone.now", side_effect=lambda: next(stamps)):
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                fund=fund,
                kind=LedgerEntry.Kind.PLEDGE,
                amount_cents=1250,
                reference=f"bulk:{first + i}",
                booking=bookings[i % len(bookings)],
                net_after_cents=1250 * (first + i + 1),
            )
            for i in range(count)
        )
    Fund.objects.filter(pk=fund.pk).update(pledged_cents=1250 * (first + count))


def _count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("page", ["impact", "fund_admin"])
def test_query_count_is_the_same_with_1_and_1000_entries(client, fund, kiron_group, page):
    staff = UserFactory(is_staff=True)
    staff.groups.add(kiron_group)
    client.force_login(staff)
    url = (
        reverse("donations:impact")
        if page == "impact"
        else reverse("admin:donations_fund_change", args=[fund.pk])
    )
    _ledger_add(fund, first=0, count=1)
    client.get(url)  # warm caches (content types) so both counts measure the same work
    small, small_html = _count_queries(client, url)
    _ledger_add(fund, first=1, count=999)
    large, large_html = _count_queries(client, url)
    assert small == large
    assert "€12,500.00" in large_html  # 1000 × €12.50 = 25 laptops: the page did change
