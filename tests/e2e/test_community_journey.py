"""The journey of issue 12 in Debian's Chromium: after a dinner, and before the next one.

A guest who came to a completed dinner gets the review invitation by email, follows it,
reviews; the host replies on their page; anyone sees the rating on the host and event pages.
Before another dinner the guest and the host exchange messages, each told by email with a
link back, the header counting unread messages. The event page's Share button copies the
link where the browser has no share sheet. Pages are checked with axe-core and photographed.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from community import tasks
from community.models import Message, Review
from events.models import Event
from tests.community.helpers import booking, past_event
from tests.factories import CityFactory, CommuneFactory, EventFactory, ProfileFactory, UserFactory

from .helpers import AxeAudit, log_in, screenshot, step, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _link_in_last_email_to(email: str, pattern: str) -> str | None:
    for message in reversed(mail.outbox):
        if email in message.to:
            match = re.search(pattern, message.body)
            if match:
                return match.group(0)
    return None


@pytest.fixture
def dinner_people(db):
    ixelles = CommuneFactory(city=CityFactory(), name="Ixelles")
    host = UserFactory(email="amira.host@example.org", first_name="Amira")
    ProfileFactory(user=host, display_name="Amira", bio="Syrian home cooking in Ixelles.")
    guest = UserFactory(email="gabi.guest@example.org", first_name="Gabi")
    ProfileFactory(user=guest, display_name="Gabi B.")
    done = past_event(host=host, commune=ixelles, title="Mezze night at Amira's")
    attended = booking(event=done, guest=guest)
    starts = timezone.now() + timedelta(days=5)
    next_dinner = EventFactory(
        host=host,
        commune=ixelles,
        title="Mansaf for eight",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        booking_deadline=starts - timedelta(hours=2),
        cancellation_deadline=starts - timedelta(days=2),
    )
    upcoming = booking(event=next_dinner, guest=guest)
    return {
        "host": host,
        "guest": guest,
        "done": done,
        "attended": attended,
        "next": next_dinner,
        "upcoming": upcoming,
    }


def test_after_the_dinner_and_before_the_next(
    new_context, live_server, dinner_people, screenshot_dir
):
    live = live_server.url
    people = dinner_people
    host, guest = people["host"], people["guest"]
    audit = AxeAudit(live)
    guest_page = new_context().new_page()
    host_context = new_context()
    host_page = host_context.new_page()

    with step("beat sends the review invitation, once"):
        assert Event.objects.get(pk=people["done"].pk).status == Event.Status.COMPLETED
        assert tasks.send_review_invitations.apply().get() == 1
        assert tasks.send_review_invitations.apply().get() == 0
        path = _link_in_last_email_to(guest.email, r"/en/reviews/write/[A-Z0-9]+/")
        assert path, [m.subject for m in mail.outbox]

    with step("the guest follows the link, signs in and reviews"):
        log_in(guest_page, live, email=guest.email, next_url=path)
        expect(guest_page.get_by_role("heading", name="How was the evening?")).to_be_visible()
        audit.check(guest_page, "review form")
        screenshot(guest_page, screenshot_dir, "community-review-form")
        guest_page.get_by_label("5 stars: wonderful").check()
        guest_page.get_by_label("Your review").fill(
            "Amira's mezze were the best I have had in Brussels. We stayed until midnight."
        )
        guest_page.get_by_role("button", name="Publish my review").click()
        expect(guest_page).to_have_url(re.compile(rf"/en/hosts/{host.pk}/$"))
        expect(guest_page.get_by_text("Thank you: your review is published.")).to_be_visible()
        assert Review.objects.get().rating == 5

    with step("the host replies once, publicly"):
        log_in(host_page, live, email=host.email, next_url=f"/en/hosts/{host.pk}/")
        host_page.get_by_role("link", name="Reply publicly").click()
        host_page.get_by_label("Your public reply").fill("Thank you Gabi, come back soon!")
        host_page.get_by_role("button", name="Publish my reply").click()
        expect(host_page.get_by_text("Your reply is published.")).to_be_visible()
        expect(host_page.get_by_role("link", name="Reply publicly")).to_have_count(0)

    with step("anyone sees the rating, the review and the reply"):
        visitor = new_context().new_page()
        visitor.goto(f"{live}/en/hosts/{host.pk}/")
        expect(visitor.locator(".host-rating").first).to_have_text(
            re.compile(r"5\.0 out of 5 · 1 review")
        )
        reviews = visitor.locator("#reviews")
        expect(reviews.get_by_text("Gabi B.")).to_be_visible()
        expect(reviews.get_by_text("Thank you Gabi, come back soon!")).to_be_visible()
        assert guest.email not in visitor.content()
        audit.check(visitor, "host page with reviews")
        screenshot(visitor, screenshot_dir, "community-host-reviews")
        visitor.goto(f"{live}/fr/events/{people['next'].pk}/")
        expect(visitor.locator(".host-rating")).to_contain_text("1")

    with step("before the next dinner the guest writes to the host"):
        guest_page.goto(f"{live}/en/bookings/{people['upcoming'].reference}/")
        guest_page.get_by_role("link", name="Message the host").click()
        expect(guest_page.get_by_text("Your conversation with your host Amira")).to_be_visible()
        guest_page.get_by_label("Your message").fill("I am allergic to nuts. Is that a problem?")
        guest_page.get_by_role("button", name="Send").click()
        expect(guest_page.locator("#thread")).to_contain_text("allergic to nuts")
        audit.check(guest_page, "conversation")

    with step("the host is emailed, follows the link and answers"):
        link = wait_until(
            lambda: _link_in_last_email_to(host.email, r"https?://\S+/en/messages/\d+/"),
            what="the message email to the host",
        )
        thread_path = re.sub(r"^https?://[^/]+", "", link)
        host_page.goto(f"{live}/en/")
        expect(host_page.get_by_role("link", name=re.compile(r"Messages 1"))).to_be_visible()
        host_page.goto(live + thread_path)
        expect(host_page.locator("#thread")).to_contain_text("allergic to nuts")
        host_page.get_by_label("Your message").fill("No nuts at all this time. See you Friday!")
        host_page.get_by_role("button", name="Send").click()
        expect(host_page.locator("#thread")).to_contain_text("No nuts at all")
        screenshot(host_page, screenshot_dir, "community-conversation")

    with step("the guest sees the answer, counted as unread until read"):
        wait_until(
            lambda: _link_in_last_email_to(guest.email, r"https?://\S+/en/messages/\d+/"),
            what="the message email to the guest",
        )
        guest_page.goto(f"{live}/en/messages/")
        expect(guest_page.locator("#conversations")).to_contain_text("1 unread")
        guest_page.locator("#conversations").get_by_role("link", name="Mansaf for eight").click()
        expect(guest_page.locator("#thread")).to_contain_text("No nuts at all")
        assert Message.objects.count() == 2

    with step("the Share button copies the link where there is no share sheet"):
        host_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live)
        host_page.goto(f"{live}/en/events/{people['next'].pk}/")
        has_share = host_page.evaluate("() => typeof navigator.share === 'function'")
        button = host_page.get_by_role("button", name="Share")
        expect(button).to_be_visible()
        audit.check(host_page, "event page with host tools")
        screenshot(host_page, screenshot_dir, "community-event-host")
        if not has_share:
            button.click()
            expect(host_page.locator(".share-status")).to_have_text(re.compile("Link copied"))
            copied = host_page.evaluate("() => navigator.clipboard.readText()")
            assert copied.endswith(f"/en/events/{people['next'].pk}/")

    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2
    audit.assert_clean()
