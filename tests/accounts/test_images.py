"""Uploaded photos are re-encoded: only pixels we decoded are stored (accounts.images).

The same checks run through both forms that take a photo (profile and event) and through the
service path that skips forms, so a new way in cannot forget them.
"""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.images import image_reencode
from accounts.models import Profile
from events.models import Event
from tests.events.helpers import event_payload

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"
GPS_IFD = 0x8825


def png_bytes(size=(40, 30), mode="RGB", color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_with_script() -> SimpleUploadedFile:
    """A valid PNG that browsers and Pillow open, with an HTML payload after IEND."""
    return SimpleUploadedFile("photo.png", png_bytes() + SCRIPT, content_type="image/png")


def jpeg_with_gps(size=(60, 40), orientation: int = 6) -> SimpleUploadedFile:
    """A camera-like JPEG: EXIF with a GPS position, a maker note, an orientation tag."""
    image = Image.new("RGB", size, color=(20, 120, 200))
    image.paste((250, 250, 0), (0, 0, 10, 10))  # a yellow corner to see the rotation
    exif = Image.Exif()
    exif[0x0112] = orientation  # rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # Make
    exif[0x9286] = "secret note"  # UserComment
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (50.0, 49.0, 30.0)  # Brussels
    gps[3], gps[4] = "E", (4.0, 21.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"shot at home")
    return SimpleUploadedFile("camera.jpg", buffer.getvalue(), content_type="image/jpeg")


def png_claiming(width: int, height: int) -> SimpleUploadedFile:
    """A tiny, well-formed PNG whose header claims ``width`` × ``height`` pixels: a
    decompression bomb would decode to that many; the check must fire on the header."""
    data = png_bytes(size=(1, 1), mode="L", color=0)
    ihdr_start = 8 + 8  # signature, then the IHDR chunk's length and type
    ihdr = struct.pack(">II", width, height) + data[ihdr_start + 8 : ihdr_start + 13]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    patched = data[:ihdr_start] + ihdr + crc + data[ihdr_start + 13 + 4 :]
    return SimpleUploadedFile("bomb.png", patched, content_type="image/png")


def stored_bytes(field_file) -> bytes:
    field_file.open("rb")
    try:
        return field_file.read()
    finally:
        field_file.close()


# ---------------------------------------------------------------- the helper


def test_appended_script_is_not_kept():
    upload = png_with_script()
    assert SCRIPT in upload.read()  # the test file really carries it
    upload.seek(0)
    reencoded = image_reencode(upload=upload, max_side=2000)
    content = reencoded.read()
    assert SCRIPT not in content
    assert b"<script" not in content
    assert content.endswith(b"IEND\xaeB`\x82")  # the file ends where a PNG ends
    assert reencoded.name == "photo.png"


def test_exif_and_gps_are_gone_and_orientation_applied():
    upload = jpeg_with_gps(size=(60, 40), orientation=6)
    with Image.open(upload) as original:  # the test file really carries them
        assert original.getexif().get_ifd(GPS_IFD)
    upload.seek(0)
    sent = upload.read()
    assert b"SpyCam" in sent and b"shot at home" in sent
    upload.seek(0)
    reencoded = image_reencode(upload=upload, max_side=2000)
    content = reencoded.read()
    for secret in (b"SpyCam", b"secret note", b"shot at home", b"Exif"):
        assert secret not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info and "comment" not in image.info
        assert image.size == (40, 60)  # turned upright, as the camera meant it
    assert reencoded.name == "camera.jpg"


def test_large_photo_is_scaled_down_and_transparency_kept():
    upload = SimpleUploadedFile(
        "logo.png", png_bytes(size=(3000, 1500), mode="RGBA", color=(0, 0, 0, 0))
    )
    reencoded = image_reencode(upload=upload, max_side=1000)
    with Image.open(reencoded) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (1000, 500), "RGBA")


@pytest.mark.parametrize("claimed", [(8_000, 8_000), (30_000, 30_000)])
def test_too_many_pixels_is_refused_before_decoding(claimed):
    """64 Mpx is above our 40 Mpx cap; 900 Mpx is above Pillow's own bomb limit too."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        image_reencode(upload=png_claiming(*claimed), max_side=2000)
    assert raised.value.code == "image_too_many_pixels"
    assert "megapixels" in raised.value.messages[0]


# ---------------------------------------------------------------- through the forms


PROFILE_URL = "/en/profile/"


def profile_payload(brussels, ixelles, **extra):
    return {
        "display_name": "Hana B.",
        "bio": "",
        "city": str(brussels.pk),
        "commune": str(ixelles.pk),
        "languages": ["fr"],
        **extra,
    }


def test_profile_photo_is_stored_re_encoded(client, host, brussels, ixelles):
    client.force_login(host)
    response = client.post(PROFILE_URL, profile_payload(brussels, ixelles, photo=png_with_script()))
    assert response.status_code == 302
    profile = Profile.objects.get(user=host)
    content = stored_bytes(profile.photo)
    assert SCRIPT not in content
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))


def test_profile_photo_loses_its_gps_position(client, host, brussels, ixelles):
    client.force_login(host)
    client.post(PROFILE_URL, profile_payload(brussels, ixelles, photo=jpeg_with_gps()))
    profile = Profile.objects.get(user=host)
    content = stored_bytes(profile.photo)
    with Image.open(io.BytesIO(content)) as image:
        assert not image.getexif()
    assert b"SpyCam" not in content


def test_profile_photo_bomb_gets_a_clear_error_and_nothing_is_saved(
    client, host, brussels, ixelles
):
    client.force_login(host)
    response = client.post(
        PROFILE_URL, profile_payload(brussels, ixelles, photo=png_claiming(30_000, 30_000))
    )
    assert response.status_code == 400
    assert "The image is too large" in response.context["form"].errors["photo"][0]
    assert "megapixels" in response.content.decode()
    profile = Profile.objects.filter(user=host).first()
    assert profile is None or (not profile.photo and profile.display_name == "")


def test_event_photo_is_stored_re_encoded(client, host, brussels, ixelles):
    client.force_login(host)
    response = client.post(
        "/en/events/new/", event_payload(city=brussels, commune=ixelles, photo=jpeg_with_gps())
    )
    assert response.status_code == 302
    content = stored_bytes(Event.objects.get().photo)
    assert b"SpyCam" not in content and b"Exif" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (40, 60)


def test_event_photo_with_script_is_stored_without_it(client, host, brussels, ixelles):
    client.force_login(host)
    client.post(
        "/en/events/new/", event_payload(city=brussels, commune=ixelles, photo=png_with_script())
    )
    assert SCRIPT not in stored_bytes(Event.objects.get().photo)


def test_event_photo_with_too_many_pixels_is_refused(client, host, brussels, ixelles):
    client.force_login(host)
    response = client.post(
        "/en/events/new/",
        event_payload(city=brussels, commune=ixelles, photo=png_claiming(8_000, 8_000)),
    )
    assert response.status_code == 400
    assert "8000 × 8000 pixels" in response.context["form"].errors["photo"][0]
    assert not Event.objects.exists()


def test_service_path_without_a_form_re_encodes_too(host, brussels, ixelles):
    """A raw upload handed straight to the model (shell, a future service) is re-encoded."""
    from accounts.services import profile_get_or_create

    profile = profile_get_or_create(user=host)
    profile.photo = png_with_script()
    profile.save()
    profile.refresh_from_db()
    assert SCRIPT not in stored_bytes(profile.photo)


def test_admin_forms_re_encode_too(rf, admin_user):
    """Staff uploading a photo in admin go through the same re-encoding field."""
    from django.contrib import admin

    from accounts.images import ReencodedImageFormField

    request = rf.get("/en/admin/")
    request.user = admin_user
    event_form = admin.site._registry[Event].get_form(request)
    assert isinstance(event_form.base_fields["photo"], ReencodedImageFormField)
    profile_inline = next(
        inline
        for inline in admin.site._registry[Profile.user.field.related_model].get_inline_instances(
            request, admin_user
        )
        if inline.model is Profile
    )
    profile_form = profile_inline.get_formset(request).form
    assert isinstance(profile_form.base_fields["photo"], ReencodedImageFormField)
    assert profile_form.base_fields["photo"].max_side == 1024
