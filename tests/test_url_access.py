"""Every URL that takes an id, pk, slug, reference or token is covered (issue 8, hardening).

The test walks the URL conf (``get_resolver()``). Each pattern with an argument must have an
entry in ``TABLE`` (or, for the admin's per-model pages, its model in ``ADMIN_MODELS``) saying
how to build the object it shows and who may see it; a new pattern without an entry fails the
suite (``test_every_pattern_with_an_argument_is_in_the_table``).

For each entry, someone else's object is requested by

- an anonymous visitor (the login page, or a 404),
- a signed-in stranger (a user with no tie to the object),
- a Kiron staff member and a superuser (staff are not hosts: on the site's own pages they are
  strangers too),

and the answer must be a 404 for all of them; the owner's own request must *not* be a 404, so
the object the entry builds is real and the test can fail (a conversation has two people: the
other one is named in ``also`` and must get through as well). Pages open to anyone signed in
(reporting a review or an event) send anonymous visitors to the login and give every signed-in
persona the same answer, without anything private on the page. Public pages (a published event, a
host's page) answer 200 to everyone and must not show what is private (the exact address,
guests' emails and dietary notes). Links carrying a secret token answer 400/404, or a page
that says the link is bad, when the token is forged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import newsletter_services
from accounts.models import NewsletterSubscription, Profile
from bookings import stripe_gateway
from bookings.models import Booking, Refund, StripeEvent
from community.bootstrap import ensure_moderators_group
from community.models import Conversation, Message, NoShow, Report, Review
from donations import services_ledger
from donations.bootstrap import ensure_cook4chance_fund, ensure_kiron_staff_group
from donations.models import Disbursement, LedgerEntry, MoneyAccount, PayoutBatch, Tranche
from events.models import Event, EventChange
from tests.community.helpers import booking as confirmed_booking
from tests.community.helpers import past_event
from tests.donations.factories import paid_booking
from tests.factories import CommuneFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Rue Cachee 77, 1050 Ixelles"
ADDRESS_MARK = "Rue Cachee 77"  # what the page shows of it (calendars escape the comma)
NOTES = "Allergic to sesame, no tahini please"
GUEST_EMAIL = "guest.walk@example.org"
HOST_EMAIL = "host.walk@example.org"
SUBSCRIBER_EMAIL = "reader.walk@example.org"
SECRETS = (ADDRESS_MARK, NOTES, GUEST_EMAIL, SUBSCRIBER_EMAIL)
REVIEW_TEXT = "Lovely walk dinner, thank you Hostina"
HIDDEN_REVIEW_TEXT = "Hidden walk review with insults"  # a moderator hid it: public nowhere
PERSONAS = ("anonymous", "stranger", "kiron_staff", "superuser")
PASSWORD = "correct-horse-battery"  # every factory user's


# ---------------------------------------------------------------- the objects


@dataclass
class World:
    """One of everything, belonging to a host and a guest; the strangers own nothing."""

    host: object
    guest: object
    stranger: object
    kiron_staff: object
    superuser: object
    event: Event
    draft: Event
    booking: Booking
    subscription: NewsletterSubscription
    webauthn: Authenticator
    extra: dict = field(default_factory=dict)

    def persona(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db, monkeypatch) -> World:
    # The owner's own POSTs must not reach Stripe: the gateway answers "unavailable" at once.
    def unavailable(**kwargs):
        raise stripe_gateway.StripeError("offline in this test")

    for name in ("setup_intent_create", "payment_intent_retrieve", "payment_intent_create"):
        monkeypatch.setattr(stripe_gateway, name, unavailable)

    fund = ensure_cook4chance_fund()
    host = UserFactory(email=HOST_EMAIL, first_name="Hostina")
    Profile.objects.create(user=host, display_name="Hostina")
    guest = UserFactory(email=GUEST_EMAIL, first_name="Gwen")
    stranger = UserFactory(email="stranger@example.org")
    kiron_staff = UserFactory(email="staff@kiron.example", is_staff=True)
    kiron_staff.groups.add(ensure_kiron_staff_group())
    superuser = UserFactory(email="root@meetsies.example", is_staff=True, is_superuser=True)
    commune = CommuneFactory(name="Ixelles")
    event = EventFactory(host=host, commune=commune, address=ADDRESS, title="Walk dinner")
    draft = EventFactory(
        host=host,
        commune=commune,
        address=ADDRESS,
        title="Walk draft",
        status=Event.Status.DRAFT,
        published_at=None,
    )
    booking = Booking.objects.create(
        event=event,
        guest=guest,
        seats=1,
        dietary_notes=NOTES,
        unit_price_cents=2500,
        gross_cents=2500,
        pledge_percent=50,
        pledge_cents=1250,
        host_cents=1250,
        status=Booking.Status.HELD,
        hold_expires_at=timezone.now() + timedelta(minutes=15),
    )
    Event.objects.filter(pk=event.pk).update(seats_reserved=1)
    subscription = NewsletterSubscription.objects.create(
        email=SUBSCRIBER_EMAIL, consent_given_at=timezone.now(), consent_policy_version="1"
    )
    webauthn = Authenticator.objects.create(
        user=guest, type=Authenticator.Type.WEBAUTHN, data={"name": "Gwen's key"}
    )
    # What the admin shows: a paid booking with its ledger entry, a refund, a tranche, a laptop.
    payment = paid_booking(event=event, guest=guest, seats=1)
    Booking.objects.filter(pk=payment.booking_id).update(dietary_notes=NOTES)
    refund = Refund.objects.create(
        payment=payment, stripe_refund_id="re_walk", amount_cents=100, reason="guest_cancelled"
    )
    entry = LedgerEntry.objects.create(
        fund=fund,
        kind=LedgerEntry.Kind.PLEDGE,
        amount_cents=1250,
        reference=f"payment:{payment.pk}",
        booking=payment.booking,
        net_after_cents=1250,
    )
    tranche = Tranche.objects.create(fund=fund, number=1)
    disbursement = Disbursement.objects.create(
        fund=fund, bought_on=timezone.localdate(), student_reference="KIRON-WALK-1"
    )
    stripe_event = StripeEvent.objects.create(event_id="evt_walk", type="payment_intent.x")
    money_transfer = services_ledger.money_payment_record(payment_id=payment.pk)
    batch = PayoutBatch.objects.create(
        reference="MEETSIES-WALK", execution_date=timezone.localdate(), total_cents=0
    )
    event_change = EventChange.objects.create(
        event=event, changes={"address": ["Old Street 1", ADDRESS]}, changed_by=host
    )
    # After the dinner (community): a completed dinner the guest came to and reviewed, a
    # second guest's review that a moderator hid, a third guest marked no-show; the held
    # booking's thread with a message, which the guest reported.
    now = timezone.now()
    dinner_done = past_event(host=host, commune=commune, address=ADDRESS, title="Walk done")
    attended = confirmed_booking(event=dinner_done, guest=guest, dietary_notes=NOTES)
    review = Review.objects.create(
        booking=attended, event=dinner_done, host=host, author=guest, rating=4, text=REVIEW_TEXT
    )
    otto = UserFactory(email="otto.walk@example.org", first_name="Otto")
    hidden_review = Review.objects.create(
        booking=confirmed_booking(event=dinner_done, guest=otto),
        event=dinner_done,
        host=host,
        author=otto,
        rating=1,
        text=HIDDEN_REVIEW_TEXT,
        hidden_at=now,
        hidden_reason="Insults",
        hidden_by=superuser,
    )
    no_show = NoShow.objects.create(
        booking=confirmed_booking(
            event=dinner_done, guest=UserFactory(email="nils.walk@example.org", first_name="Nils")
        ),
        marked_by=host,
    )
    conversation = Conversation.objects.create(booking=booking, last_message_at=now)
    message = Message.objects.create(
        conversation=conversation, sender=guest, body="May I bring a dessert?", notified_at=now
    )
    report = Report.objects.create(
        reporter=guest, conversation=conversation, reason="Walk report of a thread"
    )
    return World(
        host=host,
        guest=guest,
        stranger=stranger,
        kiron_staff=kiron_staff,
        superuser=superuser,
        event=event,
        draft=draft,
        booking=booking,
        subscription=subscription,
        webauthn=webauthn,
        extra={
            "fund": fund,
            "payment": payment,
            "refund": refund,
            "entry": entry,
            "tranche": tranche,
            "disbursement": disbursement,
            "stripe_event": stripe_event,
            "money_transfer": money_transfer,
            "batch": batch,
            "event_change": event_change,
            "commune": commune,
            "dinner_done": dinner_done,
            "attended": attended,
            "review": review,
            "hidden_review": hidden_review,
            "no_show": no_show,
            "conversation": conversation,
            "message": message,
            "report": report,
        },
    )


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Owned:
    """Someone's own object: 404 for everyone else, the login page (or 404) when anonymous."""

    owner: str
    kwargs: Callable[[World], dict]
    method: str = "get"
    # allauth asks for the password again before showing a security key: answer it first,
    # so the 404 is the ownership check and not the password prompt.
    reauthenticate: bool = False
    # Others with a right to the object (the host in a guest's conversation): not 404 either.
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Public:
    """Open to anyone, but ``hidden`` (private details) never shows to a non-owner."""

    kwargs: Callable[[World], dict]
    hidden: tuple[str, ...] = SECRETS
    # The owner who does see what is hidden (proves the hidden strings are really on the
    # object); None if nobody sees them on this page.
    shown_to: str | None = None
    # What everyone does see (proves the part of the page that would leak is rendered).
    shows: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignedIn:
    """Open to anyone signed in (reporting a review or an event): the login page when anonymous,
    ``answer`` for every signed-in persona (404 for what nobody may report), nothing private."""

    kwargs: Callable[[World], dict]
    method: str = "get"
    answer: int = 200


@dataclass(frozen=True)
class Token:
    """The URL carries a secret (a signed token, an emailed key). A forged one is refused:
    an answer in ``refused`` and nothing private on the page."""

    kwargs: Callable[[World], dict]
    method: str = "get"
    refused: tuple[int, ...] = (400, 404)
    says: str = ""


def _forged(token: str) -> str:
    return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")


def _pk(attr: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, attr).pk}


def _reference(w: World) -> dict:
    return {"reference": w.booking.reference}


def _extra_pk(key: str) -> Callable[[World], dict]:
    return lambda w: {"pk": w.extra[key].pk}


def _attended_reference(w: World) -> dict:
    return {"reference": w.extra["attended"].reference}


# Keyed by URL name. Each entry says how to build the object behind the URL and who owns it.
TABLE: dict[str, list[Owned | Public | SignedIn | Token]] = {
    # events: a published event is public without its address; drafts are the host's alone.
    "events:detail": [
        Public(_pk("event"), shown_to="host"),
        Owned("host", _pk("draft")),
    ],
    "events:ics": [
        Public(_pk("event"), shown_to="host"),
        Owned("host", _pk("draft")),
    ],
    "events:edit": [Owned("host", _pk("event")), Owned("host", _pk("event"), method="post")],
    "events:preview": [Owned("host", _pk("draft"))],
    "events:publish": [Owned("host", _pk("draft"), method="post")],
    "events:cancel": [Owned("host", _pk("event")), Owned("host", _pk("event"), method="post")],
    # bookings: a guest's booking is theirs; a host's guest list is the host's.
    "bookings:hold": [Owned("host", lambda w: {"event_pk": w.draft.pk})],
    "bookings:guests": [Owned("host", _pk("event"))],
    "bookings:detail": [Owned("guest", _reference)],
    "bookings:checkout": [Owned("guest", _reference)],
    "bookings:setup_intent": [Owned("guest", _reference, method="post")],
    "bookings:pay": [Owned("guest", _reference, method="post")],
    "bookings:payment_status": [Owned("guest", _reference, method="post")],
    "bookings:cancel": [Owned("guest", _reference), Owned("guest", _reference, method="post")],
    "bookings:ics": [Owned("guest", _reference)],
    # accounts: a host's public page names them and shows their reviews, never an email or a
    # review a moderator hid.
    "accounts:host": [
        Public(
            lambda w: {"user_id": w.host.pk},
            hidden=(*SECRETS, HIDDEN_REVIEW_TEXT),
            shows=(REVIEW_TEXT,),
        )
    ],
    # community: a review is written by the guest of the booking (of a completed dinner) and
    # answered by the host; attendance and announcements are the host's; a booking's thread
    # belongs to its guest and its host, and opening it by the booking creates it.
    "community:review_write": [
        Owned("guest", _attended_reference),
        Owned("guest", _attended_reference, method="post"),
    ],
    "community:review_reply": [
        Owned("host", _extra_pk("review")),
        Owned("host", _extra_pk("review"), method="post"),
    ],
    "community:attendance": [
        Owned("host", _extra_pk("dinner_done")),
        Owned("host", _extra_pk("dinner_done"), method="post"),
    ],
    "community:announce": [
        Owned("host", _pk("event")),
        Owned("host", _pk("event"), method="post"),
    ],
    "community:conversation": [
        Owned("guest", _extra_pk("conversation"), also=("host",)),
        Owned("guest", _extra_pk("conversation"), method="post", also=("host",)),
    ],
    "community:conversation_block": [
        Owned("guest", _extra_pk("conversation"), method="post", also=("host",)),
    ],
    "community:report_conversation": [
        Owned("guest", _extra_pk("conversation"), also=("host",)),
        Owned("guest", _extra_pk("conversation"), method="post", also=("host",)),
    ],
    "community:conversation_for_booking": [
        Owned("guest", _attended_reference, also=("host",)),
    ],
    # Anyone signed in reports a visible review or a public event; a hidden review and a draft
    # are not found. An empty report is a 400 (and saves nothing: see the strangers' test).
    "community:report_review": [
        SignedIn(_extra_pk("review")),
        SignedIn(_extra_pk("review"), method="post", answer=400),
        SignedIn(_extra_pk("hidden_review"), answer=404),
    ],
    "community:report_event": [
        SignedIn(_pk("event")),
        SignedIn(_pk("event"), method="post", answer=400),
        SignedIn(_pk("draft"), answer=404),
    ],
    # Newsletter links carry a signed token: a forged one is refused.
    "newsletter:confirm": [
        Token(
            lambda w: {
                "token": _forged(
                    newsletter_services.newsletter_confirm_token(subscription=w.subscription)
                )
            },
            method="post",
        )
    ],
    "newsletter:unsubscribe": [
        Token(
            lambda w: {
                "token": _forged(
                    newsletter_services.newsletter_unsubscribe_token(subscription=w.subscription)
                )
            }
        )
    ],
    # allauth: emailed keys; a made-up one gets allauth's "bad link" page.
    "account_confirm_email": [
        Token(
            lambda w: {"key": "Mg:1tQ0aa:forged-key-for-the-walk"},
            refused=(200, 404),
            says="This confirmation link has expired or is not valid.",
        )
    ],
    "account_reset_password_from_key": [
        Token(
            lambda w: {"uidb36": "1", "key": "forged-reset-key"},
            refused=(200,),
            says="This link has expired or was already used.",
        )
    ],
    # allauth.mfa: a security key belongs to its user.
    "mfa_edit_webauthn": [Owned("guest", _pk("webauthn"), reauthenticate=True)],
    "mfa_remove_webauthn": [
        Owned("guest", _pk("webauthn"), reauthenticate=True),
        Owned("guest", _pk("webauthn"), method="post", reauthenticate=True),
    ],
}

# The admin's pages with an argument: its own permission checks (staff only, then model
# permissions) decide; nothing private may show to Kiron staff. Keyed by model label.
ADMIN_MODELS: dict[str, Callable[[World], object]] = {
    "auth.group": lambda w: Group.objects.get(name="Kiron staff"),
    "account.emailaddress": lambda w: w.guest.emailaddress_set.get(),
    "mfa.authenticator": lambda w: w.webauthn,
    "accounts.user": lambda w: w.guest,
    "accounts.profile": lambda w: w.host.profile,
    "accounts.newslettersubscription": lambda w: w.subscription,
    "events.city": lambda w: w.event.city,
    "events.commune": lambda w: w.extra["commune"],
    "events.event": lambda w: w.event,
    "events.eventchange": lambda w: w.extra["event_change"],
    "bookings.booking": lambda w: w.extra["payment"].booking,
    "bookings.payment": lambda w: w.extra["payment"],
    "bookings.refund": lambda w: w.extra["refund"],
    "bookings.stripeevent": lambda w: w.extra["stripe_event"],
    "donations.fund": lambda w: w.extra["fund"],
    "donations.ledgerentry": lambda w: w.extra["entry"],
    "donations.tranche": lambda w: w.extra["tranche"],
    "donations.disbursement": lambda w: w.extra["disbursement"],
    # Moderation: a conversation shows in the admin only once reported (this one is).
    "community.report": lambda w: w.extra["report"],
    "community.review": lambda w: w.extra["review"],
    "community.conversation": lambda w: w.extra["conversation"],
    "donations.moneyaccount": lambda w: MoneyAccount.objects.get(key="held"),
    "donations.moneytransfer": lambda w: w.extra["money_transfer"],
    "donations.payoutbatch": lambda w: w.extra["batch"],
}
# The admin's other patterns with an argument, by name (or route when unnamed).
ADMIN_OTHER = {
    "admin:app_list": "an app's index: staff only, then per-app permissions",
    "admin:view_on_site": "redirects to the object's own page, where the site's rules apply",
    "admin:auth_user_password_change": "a user's password form: needs accounts.change_user",
    "admin/(?P<url>.*)$": "the admin's catch-all: 404 for staff, the login for others",
    "admin:bookings_payment_refund": "staff refund: needs bookings.refund_payment",
    "admin:donations_payoutbatch_download": "the pain.001 file: needs donations.manage_payouts",
    "admin:donations_payoutbatch_executed": "mark executed: needs donations.manage_payouts",
    "admin:donations_payoutline_return": "mark a line returned: needs donations.manage_payouts",
}
# Serving uploads in the embedded default (SERVE_MEDIA): photos shown on public pages.
MEDIA_ROUTE = "^media/(?P<path>.*)$"


# ---------------------------------------------------------------- walking the URL conf


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str  # without the language prefix
    pattern: URLPattern

    @property
    def key(self) -> str:
        return self.name or self.route


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item.url_patterns, prefix + str(item.pattern), inner)
        else:
            name = item.name and (f"{namespace}:{item.name}" if namespace else item.name)
            yield name, prefix + str(item.pattern), item


def _takes_arguments(route: str, pattern: URLPattern) -> bool:
    return bool(pattern.pattern.regex.groupindex) or "<" in route or "(?P<" in route


def routes_with_arguments() -> list[Route]:
    found = []
    for name, route, pattern in _walk(get_resolver().url_patterns):
        full = route
        for code in ("en/", "fr/", "nl/"):
            if full.startswith(code):
                full = full[len(code) :]
        if _takes_arguments(route, pattern):
            found.append(Route(name=name, route=full, pattern=pattern))
    return found


def _admin_model(route: Route) -> str | None:
    """``app.model`` for the admin's per-model pages (``admin:<app>_<model>_change`` …)."""
    if not route.route.startswith("admin/"):
        return None
    parts = route.route.split("/")
    if len(parts) >= 4 and "<path:object_id>" in route.route and parts[1] != "r":
        return f"{parts[1]}.{parts[2]}"
    return None


def test_every_pattern_with_an_argument_is_in_the_table():
    missing = []
    for route in routes_with_arguments():
        model = _admin_model(route)
        if model is not None:
            if model not in ADMIN_MODELS:
                missing.append(f"{route.route} (admin model {model}: add it to ADMIN_MODELS)")
            continue
        if route.key in TABLE or route.key in ADMIN_OTHER or route.key == MEDIA_ROUTE:
            continue
        missing.append(f"{route.key} ({route.route})")
    assert not missing, "URL patterns with an argument and no entry in TABLE:\n" + "\n".join(
        missing
    )


def test_the_table_names_no_pattern_that_is_gone():
    keys = {route.key for route in routes_with_arguments()}
    models = {_admin_model(route) for route in routes_with_arguments()} - {None}
    assert not set(TABLE) - keys
    assert not set(ADMIN_MODELS) - models


# ---------------------------------------------------------------- requesting


def _request(client, persona, url: str, method: str, *, reauthenticate: bool = False):
    client.logout()
    if persona is not None:
        client.force_login(persona)
        if reauthenticate:
            client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client.post(url) if method == "post" else client.get(url)


def _is_login_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    path = urlsplit(response["Location"]).path
    return path in (reverse("account_login"), reverse("admin:login"))


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _check_owned(client, world: World, name: str, case: Owned) -> list[str]:
    url = reverse(name, kwargs=case.kwargs(world))
    problems = []
    for persona in PERSONAS:
        response = _request(
            client, world.persona(persona), url, case.method, reauthenticate=case.reauthenticate
        )
        ok = response.status_code == 404 or (
            persona == "anonymous" and _is_login_redirect(response)
        )
        if not ok:
            problems.append(f"{case.method.upper()} {url} as {persona}: {response.status_code}")
    for owner in (case.owner, *case.also):
        owner_response = _request(
            client, getattr(world, owner), url, case.method, reauthenticate=case.reauthenticate
        )
        if owner_response.status_code == 404:
            problems.append(f"{case.method.upper()} {url} as the owner ({owner}): 404")
    return problems


def _check_public(client, world: World, name: str, case: Public) -> list[str]:
    url = reverse(name, kwargs=case.kwargs(world))
    problems = []
    for persona in PERSONAS:
        response = _request(client, world.persona(persona), url, "get")
        if response.status_code != 200:
            problems.append(f"GET {url} as {persona}: {response.status_code}")
            continue
        body = _body(response)
        problems += [f"GET {url} as {persona} shows {s!r}" for s in case.hidden if s in body]
        problems += [f"GET {url} as {persona} lacks {s!r}" for s in case.shows if s not in body]
    if case.shown_to:
        body = _body(_request(client, getattr(world, case.shown_to), url, "get"))
        if not any(secret in body for secret in case.hidden):
            problems.append(f"GET {url} as {case.shown_to}: the private details are not there")
    return problems


def _check_signed_in(client, world: World, name: str, case: SignedIn) -> list[str]:
    url = reverse(name, kwargs=case.kwargs(world))
    problems = []
    for persona in PERSONAS:
        response = _request(client, world.persona(persona), url, case.method)
        if persona == "anonymous":
            ok = _is_login_redirect(response)
        else:
            ok = response.status_code == case.answer
        if not ok:
            problems.append(f"{case.method.upper()} {url} as {persona}: {response.status_code}")
        body = _body(response)
        problems += [f"{url} as {persona} shows {s!r}" for s in SECRETS if s in body]
    return problems


def _check_token(client, world: World, name: str, case: Token) -> list[str]:
    url = reverse(name, kwargs=case.kwargs(world))
    problems = []
    for persona in PERSONAS:
        response = _request(client, world.persona(persona), url, case.method)
        body = _body(response)
        if response.status_code not in case.refused:
            problems.append(f"{case.method.upper()} {url} as {persona}: {response.status_code}")
        if case.says and case.says not in body:
            problems.append(f"{case.method.upper()} {url} as {persona} does not say it is bad")
        problems += [f"{url} as {persona} shows {s!r}" for s in SECRETS if s in body]
    return problems


@pytest.mark.parametrize("name", sorted(TABLE))
def test_someone_elses_object_is_not_found(client, world, name):
    problems = []
    for case in TABLE[name]:
        if isinstance(case, Owned):
            problems += _check_owned(client, world, name, case)
        elif isinstance(case, Public):
            problems += _check_public(client, world, name, case)
        elif isinstance(case, SignedIn):
            problems += _check_signed_in(client, world, name, case)
        else:
            problems += _check_token(client, world, name, case)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("data", [{}, {"booking": "abc", "action": "no_show"}])
def test_the_hosts_attendance_post_without_a_guest_is_a_400(client, world, data):
    """A bad form post by the owner: a 400 with the reason in the page (not a 404, not a 500),
    nothing recorded; a guest of another event stays not found."""
    client.force_login(world.host)
    url = reverse("community:attendance", kwargs={"pk": world.extra["dinner_done"].pk})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Choose a guest." in response.content.decode()
    assert list(NoShow.objects.all()) == [world.extra["no_show"]]
    other = client.post(url, {"booking": world.booking.pk, "action": "no_show"})
    assert other.status_code == 404


def test_a_forged_newsletter_token_changes_nothing(client, world):
    for name in ("newsletter:confirm", "newsletter:unsubscribe"):
        for case in TABLE[name]:
            _check_token(client, world, name, case)
    world.subscription.refresh_from_db()
    assert world.subscription.status == NewsletterSubscription.Status.PENDING


def _community_state() -> dict:
    return {
        "reviews": list(
            Review.objects.order_by("pk").values_list("pk", "rating", "text", "reply", "hidden_at")
        ),
        "no_shows": list(NoShow.objects.order_by("pk").values_list("booking_id", flat=True)),
        "conversations": list(
            Conversation.objects.order_by("pk").values_list(
                "booking_id", "blocked_at", "guest_read_at", "host_read_at"
            )
        ),
        "messages": list(Message.objects.order_by("pk").values_list("pk", flat=True)),
        "reports": list(Report.objects.order_by("pk").values_list("pk", "status")),
    }


def test_nothing_was_changed_by_the_strangers(client, world):
    """Their POSTs, and their GETs too: opening a booking's thread creates it, and reading one
    marks it read."""
    community_before = _community_state()
    for name, cases in TABLE.items():
        for case in cases:
            if isinstance(case, Owned | SignedIn):
                url = reverse(name, kwargs=case.kwargs(world))
                for persona in PERSONAS:
                    _request(client, world.persona(persona), url, case.method)
    assert _community_state() == community_before
    world.event.refresh_from_db()
    world.draft.refresh_from_db()
    world.booking.refresh_from_db()
    assert world.event.status == Event.Status.PUBLISHED
    assert world.draft.status == Event.Status.DRAFT
    assert world.booking.status == Booking.Status.HELD
    assert Authenticator.objects.filter(pk=world.webauthn.pk).exists()


# ---------------------------------------------------------------- the admin


def _admin_urls(model: str, obj) -> list[str]:
    app, name = model.split(".")
    return [
        f"/en/admin/{app}/{name}/{obj.pk}/",
        reverse(f"admin:{app}_{name}_change", args=[obj.pk]),
        reverse(f"admin:{app}_{name}_history", args=[obj.pk]),
        reverse(f"admin:{app}_{name}_delete", args=[obj.pk]),
    ]


def _admin_get(client, persona, url: str):
    client.logout()
    if persona is not None:
        client.force_login(persona)
    return client.get(url, follow=True)


@pytest.mark.parametrize("model", sorted(ADMIN_MODELS))
def test_admin_pages_follow_permissions_and_hide_private_details(client, world, model):
    obj = ADMIN_MODELS[model](world)
    problems = []
    for url in _admin_urls(model, obj):
        anonymous = _admin_get(client, None, url)
        if urlsplit(anonymous.redirect_chain[-1][0]).path != reverse("account_login"):
            problems.append(f"{url} anonymously: not sent to the login")
        if _admin_get(client, world.stranger, url).status_code != 404:
            problems.append(f"{url} as a signed-in non-staff user: not 404")
        staff = _admin_get(client, world.kiron_staff, url)
        if staff.status_code not in (200, 403, 404):
            problems.append(f"{url} as Kiron staff: {staff.status_code}")
        body = _body(staff)
        problems += [f"{url} as Kiron staff shows {s!r}" for s in SECRETS if s in body]
        # Some rows cannot be deleted by anyone (403): the change page proves the row is real.
        superuser = _admin_get(client, world.superuser, url).status_code
        if superuser != 200 and not (superuser == 403 and url.endswith("/delete/")):
            problems.append(f"{url} as a superuser: {superuser} (is the object real?)")
    assert not problems, "\n".join(problems)


def test_kiron_staff_open_only_the_funds_pages(client, world):
    """Which admin pages Kiron staff may open at all: the fund's, and bookings' money."""
    opened = set()
    for model, build in ADMIN_MODELS.items():
        app, name = model.split(".")
        url = reverse(f"admin:{app}_{name}_change", args=[build(world).pk])
        if _admin_get(client, world.kiron_staff, url).status_code == 200:
            opened.add(model)
    assert opened == {
        "bookings.booking",
        "bookings.payment",
        "donations.fund",
        "donations.ledgerentry",
        "donations.tranche",
        "donations.disbursement",
    }


def test_moderators_open_only_the_moderation_pages(client, world):
    """The "Moderators" group opens the report queue, reviews and reported conversations, and
    nothing else; authors appear there by name, never by email."""
    moderator = UserFactory(email="moderator@meetsies.example", is_staff=True)
    moderator.groups.add(ensure_moderators_group())
    opened = set()
    for model, build in ADMIN_MODELS.items():
        app, name = model.split(".")
        response = _admin_get(
            client, moderator, reverse(f"admin:{app}_{name}_change", args=[build(world).pk])
        )
        if response.status_code == 200:
            opened.add(model)
            body = _body(response)
            assert not [s for s in SECRETS if s in body], model
    assert opened == {"community.report", "community.review", "community.conversation"}


def test_the_admins_other_pages_with_an_argument(client, world):
    app_list = reverse("admin:app_list", kwargs={"app_label": "events"})
    password = reverse("admin:auth_user_password_change", args=[world.guest.pk])
    on_site = reverse("admin:view_on_site", args=[_content_type_id(Event), world.draft.pk])
    catch_all = "/en/admin/no-such-app/1/"
    for url in (app_list, password, on_site, catch_all):
        anonymous = _admin_get(client, None, url)
        assert urlsplit(anonymous.redirect_chain[-1][0]).path == reverse("account_login"), url
        assert _admin_get(client, world.stranger, url).status_code == 404, url
    kiron = world.kiron_staff
    assert _admin_get(client, kiron, app_list).status_code == 404  # no events permission
    assert _admin_get(client, kiron, password).status_code == 403
    assert _admin_get(client, kiron, catch_all).status_code == 404
    # "View on site" leads to the event's own page, where a draft is the host's alone.
    assert _admin_get(client, kiron, on_site).status_code == 404


def _content_type_id(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def test_served_uploads_do_not_leave_the_media_folder(client, settings):
    """The embedded default serves uploads itself (SERVE_MEDIA); nothing outside MEDIA_ROOT."""
    served = [r for r in routes_with_arguments() if r.route == MEDIA_ROUTE]
    assert bool(served) == settings.SERVE_MEDIA
    if served:
        assert client.get("/media/../manage.py").status_code == 404
        assert client.get("/media/no-such-photo.jpg").status_code == 404


def test_the_table_covers_both_sides_of_every_private_page():
    """Each id-taking page of the site appears with who owns it (or as public)."""
    kinds = {type(case) for case in itertools.chain.from_iterable(TABLE.values())}
    assert kinds == {Owned, Public, SignedIn, Token}
