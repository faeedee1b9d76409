"""Helpers for event tests: a valid form payload and uploaded files."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image


def event_payload(*, city, commune, **overrides) -> dict:
    """A valid create-event POST: a dinner in 10 days at 19:00 Brussels time."""
    start = (timezone.localtime() + timedelta(days=10)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    data = {
        "kind": "dinner",
        "title": "Couscous night",
        "description": "Seven vegetables, one big pot.",
        "menu": "Couscous\nMint tea",
        "dietary_options": ["vegetarian", "halal"],
        "languages": ["fr", "en"],
        "city": str(city.pk),
        "commune": str(commune.pk),
        "address": "Rue du Bailli 12, 1050 Ixelles",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "booking_deadline": (start - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "cancellation_deadline": "",
        "capacity": "8",
        "contribution": "25.50",
        "pledge_percent": "40",
    }
    data.update(overrides)
    return data


def png_bytes(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color=(200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fake_image_upload(name="photo.png") -> SimpleUploadedFile:
    """A file that claims to be a PNG but is text."""
    return SimpleUploadedFile(name, b"<?php echo 'not an image'; ?>", content_type="image/png")
