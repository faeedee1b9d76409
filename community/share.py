"""Pages worth sharing: which image a link preview of an event shows.

Event pages use the event's photo, else their kind's placeholder as a PNG (the SVGs in
``static/img`` rendered once at 1200×630 into ``static/img/og/``: link previews do not show
SVG). The impact page's card is drawn by ``donations.share_card``.
"""

from __future__ import annotations

from django.templatetags.static import static

from events.models import Event, Kind

KIND_PLACEHOLDERS = {
    Kind.DINNER: "img/og/event-placeholder.png",
    Kind.BOARD_GAMES: "img/og/event-placeholder-board-games.png",
    Kind.SINGLES: "img/og/event-placeholder-singles.png",
    Kind.OTHER: "img/og/event-placeholder-other.png",
}


def event_image_path(event: Event) -> str:
    """The path of an event's share image: its photo, else its kind's PNG placeholder."""
    if event.photo:
        return event.photo.url
    return static(KIND_PLACEHOLDERS.get(event.kind, KIND_PLACEHOLDERS[Kind.DINNER]))
