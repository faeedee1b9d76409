"""The impact page's share image: a 1200×630 card with the laptops funded, drawn with Pillow.

Drawn in the request's language and cached by language and figures, so a link preview shows
today's number without drawing it for every crawler.
"""

from __future__ import annotations

import hashlib
import io

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw, ImageFont

from events.templatetags.money import format_cents

from .selectors import fund_get_cook4chance

CARD_SIZE = (1200, 630)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own scalable font: no system font needed on the server.
    return ImageFont.load_default(size=size)


def impact_card_png(*, laptops: int, raised: str) -> bytes:
    """A 1200×630 PNG: "N laptops funded", the euros raised, the campaign's name."""
    image = Image.new("RGB", CARD_SIZE, "#fdf4ec")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, CARD_SIZE[0], 24], fill="#9a3412")
    draw.rectangle([0, CARD_SIZE[1] - 24, CARD_SIZE[0], CARD_SIZE[1]], fill="#9a3412")
    # A laptop, drawn: screen and base.
    draw.rounded_rectangle([820, 170, 1100, 360], radius=18, fill="#1f2937")
    draw.rounded_rectangle([842, 190, 1078, 340], radius=8, fill="#f2b84b")
    draw.polygon([(780, 380), (1140, 380), (1110, 410), (810, 410)], fill="#374151")
    draw.text((80, 80), "Cook4Chance", font=_font(56), fill="#9a3412")
    draw.text((80, 200), str(laptops), font=_font(160), fill="#1f2937")
    label = ngettext(
        "laptop funded for refugee students",
        "laptops funded for refugee students",
        laptops,
    )
    draw.text((80, 390), label, font=_font(44), fill="#1f2937")
    draw.text(
        (80, 470),
        _("%(amount)s raised by home dinners for Kiron") % {"amount": raised},
        font=_font(36),
        fill="#4b5563",
    )
    draw.text((80, 540), "Meetsies", font=_font(32), fill="#9a3412")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@require_GET
def impact_card(request: HttpRequest) -> HttpResponse:
    """The impact page's share image, in the request's language (cached by its figures)."""
    fund = fund_get_cook4chance()
    language = get_language() or "en"
    laptops = fund.complete_tranches
    raised = format_cents(max(fund.net_cents, 0), language=language)
    key = (
        "community:impact-card:"
        + hashlib.sha256(f"{language}|{laptops}|{raised}".encode()).hexdigest()
    )
    png = cache.get(key)
    if png is None:
        png = impact_card_png(laptops=laptops, raised=raised)
        cache.set(key, png, timeout=3600)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=600"
    return response
