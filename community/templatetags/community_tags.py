"""Template tags other apps' pages use to show community pieces: ratings, reviews, links to
messages and attendance, share tags. Events and accounts templates load these; their Python
never imports community."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language

from bookings.models import Booking
from events.models import Event

from .. import rules, selectors
from ..share import event_image_path

register = template.Library()

OG_LOCALES = {"en": "en_GB", "fr": "fr_BE", "nl": "nl_BE"}


def _user(context):
    request = context.get("request")
    return context.get("user") or getattr(request, "user", None)


@register.inclusion_tag("community/_host_rating.html")
def host_rating(host, named=False):
    """The host's rating, "★ 4.6 out of 5 · 12 reviews" (hidden reviews left out). One query.

    ``named`` puts the host's name in front, for pages about something else (an event).
    """
    return {"host": host, "named": named, "rating": selectors.host_rating(host_id=host.pk)}


@register.inclusion_tag("community/_host_reviews.html", takes_context=True)
def host_reviews(context, host):
    """The latest public reviews of a host, ten a page (``?reviews=N``), with the host's replies.

    Three queries whatever the number of reviews: the count, the page, and nothing per review.
    """
    request = context.get("request")
    user = _user(context)
    page = selectors.host_reviews_page(
        host_id=host.pk, page=request.GET.get("reviews") if request else None
    )
    return {
        "host": host,
        "page_obj": page,
        "reviews": page.object_list,
        "request": request,
        "is_host": user is not None and user.is_authenticated and user.pk == host.pk,
        "signed_in": user is not None and user.is_authenticated,
    }


@register.inclusion_tag("community/_booking_links.html", takes_context=True)
def booking_community_links(context, booking: Booking):
    """On a guest's booking page: write or edit the review, or message the host."""
    user = _user(context)
    review = selectors.review_of_booking(booking=booking)
    if review is not None:
        can_review = rules.review_edit_refusal(review=review, author=user) is None
    else:
        can_review = rules.review_refusal(booking=booking, author=user) is None
    return {
        "booking": booking,
        "review": review,
        "can_review": can_review,
        "can_message": rules.conversation_role(booking=booking, user=user) == "guest"
        and booking.event.starts_at > timezone.now(),
    }


@register.simple_tag(takes_context=True)
def message_guest_url(context, booking: Booking, event: Event) -> str:
    """For the host's guest list: the link to write to one guest before the event ("" after).

    Takes the page's ``event`` so that a list of bookings costs no query per row.
    """
    user = _user(context)
    if user is None or not user.is_authenticated or event.host_id != user.pk:
        return ""
    if event.status != Event.Status.PUBLISHED or event.starts_at <= timezone.now():
        return ""
    if not rules.booking_is_active(booking):
        return ""
    return reverse("community:conversation_for_booking", kwargs={"reference": booking.reference})


@register.inclusion_tag("community/_event_tools.html", takes_context=True)
def event_community_tools(context, event: Event):
    """On an event page: the host's links (announce, who came) or a report link for others."""
    user = _user(context)
    signed_in = user is not None and user.is_authenticated
    is_host = signed_in and event.host_id == user.pk
    now = timezone.now()
    return {
        "event": event,
        "is_host": is_host,
        "signed_in": signed_in,
        "can_announce": is_host
        and event.status == Event.Status.PUBLISHED
        and event.starts_at > now,
        "can_record_attendance": is_host
        and event.status == Event.Status.COMPLETED
        and now <= event.ends_at + rules.NO_SHOW_WINDOW,
    }


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """How many messages the signed-in person has not read (0 for visitors). One query."""
    user = _user(context)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_total(user=user)


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


@register.inclusion_tag("community/_share_meta.html", takes_context=True)
def share_meta(
    context, *, title, description, image, image_width=1200, image_height=630, kind="website"
):
    """Open Graph and Twitter card tags for the current page (absolute URLs)."""
    request = context.get("request")
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {
        "title": title,
        "description": Truncator(" ".join(str(description).split())).chars(200),
        "image": _absolute(image),
        "image_width": image_width,
        "image_height": image_height,
        "kind": kind,
        "url": _absolute(request.path) if request else settings.SITE_URL,
        "locale": OG_LOCALES.get(language, "en_GB"),
        "alternate_locales": [value for code, value in OG_LOCALES.items() if code != language],
    }


@register.simple_tag
def event_share_image(event: Event) -> str:
    return event_image_path(event)


@register.inclusion_tag("community/_share_button.html", takes_context=True)
def share_button(context, *, title, text=""):
    """A "Share" button: the Web Share API where the browser has it, else copy the link."""
    request = context.get("request")
    return {
        "title": title,
        "text": text,
        "url": _absolute(request.path) if request else settings.SITE_URL,
    }
