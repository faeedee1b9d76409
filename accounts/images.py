"""Uploaded photos, re-encoded: we store pixels we decoded ourselves, never the bytes sent.

A file can be a valid image *and* something else (a PNG with a script appended, a JPEG with
the camera's GPS position in its EXIF). Every photo upload (profile photos, event photos, in the
site's forms, in admin and through the services) therefore goes through ``image_reencode``:

1. the size in pixels is read from the header and capped *before* anything is decoded
   (``IMAGE_MAX_PIXELS``; Pillow's own decompression-bomb check is a second line);
2. the file is verified and decoded; the first frame of an animation is kept;
3. the EXIF orientation is applied, then every piece of metadata is dropped (EXIF, GPS, XMP,
   comments, text chunks); only the colour profile is kept, so colours stay right;
4. the image is scaled down to ``max_side`` pixels on its longer side;
5. it is saved afresh: JPEG stays JPEG, PNG and GIF become PNG, WebP stays WebP (other decoded
   formats become JPEG, or PNG when they have transparency). Trailing bytes cannot survive.

Lives in accounts, the lowest app, so events can use it too.
"""

import io
import warnings
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import FileExtensionValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

PROFILE_PHOTO_MAX_SIDE = 1024
EVENT_PHOTO_MAX_SIDE = 2000
JPEG_QUALITY = 85
WEBP_QUALITY = 85

# source format -> (format we save, file extension)
OUTPUT_FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "MPO": ("JPEG", "jpg"),  # phone cameras' multi-picture JPEG
    "PNG": ("PNG", "png"),
    "GIF": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
}

ERROR_MESSAGES = {
    "invalid_image": _(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
    "image_too_many_pixels": _(
        "The image is too large (%(width)s × %(height)s pixels). The limit is %(limit)s megapixels."
    ),
    "image_pixels_unknown": _("The image is too large. The limit is %(limit)s megapixels."),
    "file_too_large": _("The photo is too large (%(size)s). The limit is %(limit)s."),
}


class ReencodedImage(SimpleUploadedFile):
    """The bytes ``image_reencode`` wrote, with a name whose extension matches its format.

    An ``UploadedFile``, so views and services treat it as the upload it replaces.
    """

    def __init__(self, content: bytes, name: str, *, image_format: str, width: int, height: int):
        super().__init__(name, content, Image.MIME.get(image_format, "application/octet-stream"))
        self.image_format = image_format
        self.width = width
        self.height = height


def _max_pixels() -> int:
    return int(settings.IMAGE_MAX_PIXELS)


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = f"{_max_pixels() / 1_000_000:g}"
    if width is None:
        return ValidationError(
            ERROR_MESSAGES["image_pixels_unknown"],
            code="image_too_many_pixels",
            params={"limit": limit},
        )
    return ValidationError(
        ERROR_MESSAGES["image_too_many_pixels"],
        code="image_too_many_pixels",
        params={"width": width, "height": height, "limit": limit},
    )


def _invalid() -> ValidationError:
    return ValidationError(ERROR_MESSAGES["invalid_image"], code="invalid_image")


def _open_checked(source) -> Image.Image:
    """Open ``source`` lazily and refuse it on its header alone when it has too many pixels."""
    source.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: both mean "no".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid() from None
    width, height = image.size
    if width * height > _max_pixels():
        image.close()
        raise _too_many_pixels(width, height)
    return image


def image_reencode(*, upload, max_side: int) -> ReencodedImage:
    """Decode ``upload`` (a file object with a name) and return a freshly encoded copy.

    Raises ``ValidationError`` with code ``invalid_image`` (not an image, truncated, corrupt)
    or ``image_too_many_pixels`` (more than ``settings.IMAGE_MAX_PIXELS``, checked before
    decoding). Nothing of the original file but its pixels (and colour profile) is kept.
    """
    image = _open_checked(upload)
    try:
        image.verify()  # checks the structure (CRCs, …) without decoding; the image is spent
    except Exception:  # Pillow raises many kinds here; all mean a broken file
        raise _invalid() from None
    image = _open_checked(upload)
    source_format = image.format or ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)
            if source_format in ("JPEG", "MPO"):
                # Decode at a reduced scale (never below max_side): much faster, same result.
                image.draft("RGB", (max_side, max_side))
            image.load()
            # A CMYK profile would be wrong on the RGB pixels we write: keep RGB/grey ones only.
            icc_profile = image.info.get("icc_profile") if image.mode != "CMYK" else None
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:
        raise _invalid() from None

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    output_format, extension = OUTPUT_FORMATS.get(
        source_format, ("PNG", "png") if has_alpha else ("JPEG", "jpg")
    )
    if output_format == "JPEG" or not has_alpha:
        image = image.convert("L" if image.mode in ("1", "L") else "RGB")
    else:
        image = image.convert("RGBA")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image.info = {}  # nothing of the original's metadata goes into the new file

    options: dict = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if output_format == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif output_format == "WEBP":
        options.update(quality=WEBP_QUALITY, method=4)
    else:
        options.update(optimize=True)
    buffer = io.BytesIO()
    image.save(buffer, format=output_format, **options)
    stem = PurePath(getattr(upload, "name", "") or "photo").stem or "photo"
    return ReencodedImage(
        buffer.getvalue(),
        name=f"{stem}.{extension}",
        image_format=output_format,
        width=image.width,
        height=image.height,
    )


class ReencodedImageFormField(forms.ImageField):
    """An image upload that comes out of ``clean()`` re-encoded (see ``image_reencode``).

    ``max_upload_bytes`` and ``allowed_extensions`` are checked on what was sent, before
    anything is decoded; a clear error per case, so the form answers 400 and saves nothing.
    """

    def __init__(
        self,
        *,
        max_side: int = EVENT_PHOTO_MAX_SIDE,
        max_upload_bytes: int | None = None,
        allowed_extensions: list[str] | None = None,
        **kwargs,
    ) -> None:
        self.max_side = max_side
        self.max_upload_bytes = max_upload_bytes
        self.allowed_extensions = allowed_extensions
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)  # name and emptiness checks only
        if upload is None:
            return None
        if self.max_upload_bytes is not None and upload.size > self.max_upload_bytes:
            raise ValidationError(
                ERROR_MESSAGES["file_too_large"],
                code="file_too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(self.max_upload_bytes),
                },
            )
        if self.allowed_extensions is not None:
            FileExtensionValidator(self.allowed_extensions)(upload)
        return image_reencode(upload=upload, max_side=self.max_side)


class ReencodedImageField(models.ImageField):
    """A model ``ImageField`` that stores only re-encoded images, whichever way they come.

    Its form field re-encodes (site forms and admin); ``pre_save`` re-encodes anything else
    not yet re-encoded (a service called with a raw upload, the shell). In migrations it is
    a plain ``ImageField``: the column is the same.
    """

    def __init__(self, *args, max_side: int = EVENT_PHOTO_MAX_SIDE, **kwargs) -> None:
        self.max_side = max_side
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs

    def _allowed_extensions(self) -> list[str] | None:
        for validator in self.validators:
            if isinstance(validator, FileExtensionValidator):
                return list(validator.allowed_extensions or [])
        return None

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", ReencodedImageFormField)
        if kwargs["form_class"] is ReencodedImageFormField:
            kwargs.setdefault("max_side", self.max_side)
            kwargs.setdefault("allowed_extensions", self._allowed_extensions())
        return super().formfield(**kwargs)

    def pre_save(self, model_instance, add):
        field_file = getattr(model_instance, self.attname)
        if field_file and not field_file._committed:
            content = field_file.file
            if not isinstance(content, ReencodedImage):
                upload = content if getattr(content, "name", None) else field_file
                reencoded = image_reencode(upload=upload, max_side=self.max_side)
                setattr(model_instance, self.attname, reencoded)
        return super().pre_save(model_instance, add)
