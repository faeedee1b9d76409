"""The booking pages: panel, hold form errors, checkout, detail, cancel, lists, access."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Payment
from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def hold(event, guest, seats=2):
    return services.booking_hold(event_id=event.pk, guest=guest, seats=seats)


def confirm(booking):
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    booking.refresh_from_db()
    return booking


def event_page(client, event):
    response = client.get(reverse("events:detail", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- booking panel


def test_panel_offers_seats_and_shows_the_split(client, event, guest):
    Event.objects.filter(pk=event.pk).update(seats_reserved=5)
    client.force_login(guest)
    html = event_page(client, event)
    assert '<label for="id_seats">Seats</label>' in html
    assert '<option value="3">3</option>' in html
    assert '<option value="4">' not in html  # only 3 left
    assert "€12.50 of your €25.00 goes to Kiron's Cook4Chance fund, €12.50 to the host" in html
    assert "Continue to payment" in html


def test_panel_caps_the_seat_picker_at_eight(client, host, ixelles, guest):
    big = EventFactory(host=host, commune=ixelles, capacity=20)
    client.force_login(guest)
    html = event_page(client, big)
    assert '<option value="8">8</option>' in html
    assert '<option value="9">' not in html


def test_panel_for_logged_out_visitor_links_to_login(client, event):
    html = event_page(client, event)
    assert "Log in to book" in html
    assert "id_seats" not in html


def test_panel_for_unverified_user_asks_to_verify(client, event):
    client.force_login(UserFactory(verified=False))
    html = event_page(client, event)
    assert "verify your email" in html
    assert "id_seats" not in html


def test_panel_for_the_host_links_the_guest_list(client, event, host):
    client.force_login(host)
    html = event_page(client, event)
    assert "This is your event." in html
    assert reverse("bookings:guests", kwargs={"pk": event.pk}) in html
    assert "id_seats" not in html


def test_panel_shows_an_active_booking_instead_of_the_form(client, event, guest):
    booking = hold(event, guest)
    client.force_login(guest)
    html = event_page(client, event)
    assert "You are holding 2 seats" in html
    assert reverse("bookings:checkout", kwargs={"reference": booking.reference}) in html
    assert "id_seats" not in html


def test_panel_counts_expired_holds_as_free(client, event, guest):
    Event.objects.filter(pk=event.pk).update(capacity=2)
    stale = hold(event, UserFactory(), seats=2)
    Booking.objects.filter(pk=stale.pk).update(hold_expires_at=timezone.now())
    client.force_login(guest)
    html = event_page(client, event)
    assert '<option value="2">2</option>' in html


# ---------------------------------------------------------------- holding through the page


def test_hold_redirects_to_checkout_with_countdown_and_card_element(client, event, guest):
    client.force_login(guest)
    response = client.post(
        reverse("bookings:hold", kwargs={"event_pk": event.pk}),
        {"seats": "2", "dietary_notes": "vegetarian"},
    )
    booking = Booking.objects.get()
    checkout_url = reverse("bookings:checkout", kwargs={"reference": booking.reference})
    assert response.status_code == 302 and response.url == checkout_url

    html = client.get(checkout_url).content.decode()
    assert 'id="card-element"' in html
    assert 'id="payment-errors"' in html and 'role="alert"' in html
    assert 'id="hold-countdown"' in html
    assert "€25.00 of your €50.00 goes to Kiron" in html
    assert "Pay €50.00" in html
    assert "js.stripe.com/v3/" in html
    assert "<script>" not in html  # no inline script


@pytest.mark.parametrize(
    "seats, message",
    [
        ("0", "Choose at least one seat."),
        ("-2", "Choose at least one seat."),
        ("two", "Enter a whole number of seats."),
        ("", "Choose how many seats you want."),
        ("9", "at most 8 seats"),
        ("4", "only 3 seats are left"),
    ],
)
def test_bad_seat_numbers_get_a_clear_error_and_nothing_is_saved(
    client, event, guest, seats, message
):
    Event.objects.filter(pk=event.pk).update(seats_reserved=5)
    client.force_login(guest)
    response = client.post(
        reverse("bookings:hold", kwargs={"event_pk": event.pk}), {"seats": seats}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booking.objects.exists()
    assert Event.objects.get(pk=event.pk).seats_reserved == 5


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"status": Event.Status.CANCELLED}, "not open for booking"),
        (
            {"booking_deadline": timezone.now() - timedelta(minutes=5)},
            "Bookings for this event are closed",
        ),
    ],
)
def test_closed_events_give_a_clear_error(client, event, guest, changes, message):
    Event.objects.filter(pk=event.pk).update(**changes)
    client.force_login(guest)
    response = client.post(reverse("bookings:hold", kwargs={"event_pk": event.pk}), {"seats": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_someone_elses_draft_is_not_found(client, event, guest):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    client.force_login(guest)
    response = client.post(reverse("bookings:hold", kwargs={"event_pk": event.pk}), {"seats": "1"})
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_hold_needs_login(client, event):
    response = client.post(reverse("bookings:hold", kwargs={"event_pk": event.pk}), {"seats": "1"})
    assert response.status_code == 302 and "login" in response.url
    assert not Booking.objects.exists()


# ---------------------------------------------------------------- paying through the page


def test_paying_an_expired_hold_is_a_4xx_with_a_clear_error(client, event, guest):
    booking = hold(event, guest)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    client.force_login(guest)
    response = client.post(
        reverse("bookings:pay", kwargs={"reference": booking.reference}),
        {"payment_method": "pm_anything"},
    )
    assert response.status_code == 400
    assert "expired" in response.json()["error"]
    assert not Payment.objects.exists()
    checkout = client.get(reverse("bookings:checkout", kwargs={"reference": booking.reference}))
    assert checkout.status_code == 302  # back to the booking, which says it expired


def test_pay_without_a_payment_method_is_refused(client, event, guest):
    booking = hold(event, guest)
    client.force_login(guest)
    response = client.post(
        reverse("bookings:pay", kwargs={"reference": booking.reference}),
        {"payment_method": "<script>"},
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_another_users_booking_and_payment_urls_are_404(client, event, guest):
    booking = hold(event, guest)
    client.force_login(UserFactory())
    for name in ("detail", "checkout", "cancel"):
        url = reverse(f"bookings:{name}", kwargs={"reference": booking.reference})
        assert client.get(url).status_code == 404, name
    for name in ("setup_intent", "pay", "payment_status", "cancel"):
        url = reverse(f"bookings:{name}", kwargs={"reference": booking.reference})
        assert client.post(url, {"payment_method": "pm_x"}).status_code == 404, name
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


# ---------------------------------------------------------------- detail, cancel, lists


def test_address_only_on_a_confirmed_booking(client, event, guest):
    booking = hold(event, guest)
    client.force_login(guest)
    url = reverse("bookings:detail", kwargs={"reference": booking.reference})
    assert "Rue du Bailli" not in client.get(url).content.decode()
    confirm(booking)
    assert "Rue du Bailli 12" in client.get(url).content.decode()


def test_cancel_page_promises_a_refund_before_the_deadline(client, event, guest):
    booking = confirm(hold(event, guest))
    client.force_login(guest)
    html = client.get(reverse("bookings:cancel", kwargs={"reference": booking.reference})).content
    assert "full refund of €50.00" in html.decode()


def test_cancel_page_says_no_refund_after_the_deadline(client, event, guest):
    booking = confirm(hold(event, guest))
    Event.objects.filter(pk=event.pk).update(cancellation_deadline=timezone.now())
    client.force_login(guest)
    url = reverse("bookings:cancel", kwargs={"reference": booking.reference})
    assert "you will get no refund" in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Event.objects.get(pk=event.pk).seats_reserved == 0


def test_releasing_a_held_booking_frees_the_seats(client, event, guest):
    booking = hold(event, guest)
    client.force_login(guest)
    client.post(reverse("bookings:cancel", kwargs={"reference": booking.reference}))
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert Event.objects.get(pk=event.pk).seats_reserved == 0


@pytest.mark.parametrize("count", [1, 20])
def test_my_bookings_lists_addresses_of_confirmed_bookings_in_constant_queries(
    client, host, ixelles, guest, count, django_assert_max_num_queries
):
    for _ in range(count):
        confirm(hold(EventFactory(host=host, commune=ixelles), guest, seats=1))
    client.force_login(guest)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("bookings:mine"))
    html = response.content.decode()
    assert html.count("Rue du Bailli 12") == count


def test_my_bookings_shows_only_my_own(client, event, guest):
    hold(event, UserFactory(), seats=1)
    client.force_login(guest)
    assert "You have no bookings yet." in client.get(reverse("bookings:mine")).content.decode()


def test_host_guest_list_shows_guests_notes_and_money(client, event, host, guest):
    booking = services.booking_hold(
        event_id=event.pk, guest=guest, seats=2, dietary_notes="no peanuts please"
    )
    confirm(booking)
    hold(event, UserFactory(first_name="Heldonly"), seats=1)  # not confirmed: not listed
    client.force_login(host)
    html = client.get(reverse("bookings:guests", kwargs={"pk": event.pk})).content.decode()
    assert "Gabi" in html
    assert "no peanuts please" in html
    assert "Heldonly" not in html
    assert "€50.00" in html and "€25.00" in html


def test_guest_list_is_404_for_anyone_but_the_host(client, event, guest):
    client.force_login(guest)
    assert client.get(reverse("bookings:guests", kwargs={"pk": event.pk})).status_code == 404


def test_admin_searches_bookings_by_reference_email_and_intent(admin_client, event, guest):
    booking = hold(event, guest)
    Payment.objects.create(
        booking=booking, amount_cents=booking.gross_cents, stripe_payment_intent_id="pi_findme"
    )
    url = reverse("admin:bookings_booking_changelist")
    for term in (booking.reference, guest.email, "pi_findme", str(event.pk)):
        html = admin_client.get(url, {"q": term}).content.decode()
        assert booking.reference in html, term
    assert admin_client.get(url, {"status__exact": "held"}).status_code == 200
    for model in ("payment", "refund", "stripeevent"):
        assert admin_client.get(reverse(f"admin:bookings_{model}_changelist")).status_code == 200


def test_my_bookings_and_detail_name_the_commune_once(client, event, guest):
    """The address already ends with "1050 Ixelles": the commune is not repeated after it."""
    booking = confirm(hold(event, guest))
    client.force_login(guest)
    mine = client.get(reverse("bookings:mine")).content.decode()
    detail = client.get(booking.get_absolute_url()).content.decode()
    for html in (mine, detail):
        assert "Rue du Bailli 12, 1050 Ixelles" in html
        assert "Ixelles, Ixelles" not in html


def test_my_bookings_shows_the_commune_of_an_unconfirmed_booking(client, event, guest):
    hold(event, guest)
    client.force_login(guest)
    html = client.get(reverse("bookings:mine")).content.decode()
    assert "Rue du Bailli" not in html
    assert "Ixelles" in html


def test_every_label_the_bookings_admin_shows_is_translatable():
    from django.contrib import admin
    from django.utils.functional import Promise

    from bookings.models import Refund, StripeEvent

    untranslated = []
    for model in (Booking, Payment, Refund, StripeEvent):
        model_admin = admin.site._registry[model]
        names = [*model_admin.list_display, *model_admin.readonly_fields]
        for name in names:
            method = getattr(model_admin, name, None)
            if callable(method):  # an @admin.display column, e.g. the guest's email
                label = getattr(method, "short_description", None)
            else:
                label = model._meta.get_field(name).verbose_name
            if not isinstance(label, Promise):
                untranslated.append(f"{model.__name__}.{name}")
    assert untranslated == []


@pytest.mark.parametrize("count", [1, 30])
def test_guest_list_takes_the_same_queries_for_one_or_thirty_guests(
    client, host, ixelles, count, django_assert_max_num_queries
):
    event = EventFactory(host=host, commune=ixelles, capacity=40)
    for n in range(count):
        confirm(hold(event, UserFactory(first_name=f"Guest{n}"), seats=1))
    client.force_login(host)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("bookings:guests", kwargs={"pk": event.pk})).content.decode()
    assert html.count('<td class="number">1</td>') == count


def test_admin_cannot_delete_bookings_or_payments(admin_client, event, guest):
    """Deleting a held booking in admin would leave its seats reserved for ever."""
    booking = hold(event, guest)
    payment = Payment.objects.create(booking=booking, amount_cents=booking.gross_cents)
    for model, pk in (("booking", booking.pk), ("payment", payment.pk)):
        url = reverse(f"admin:bookings_{model}_delete", args=[pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists()
