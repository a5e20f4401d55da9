"""Checking uploaded product pictures and making their thumbnails, with Pillow; no ORM here.

An upload is accepted only when Pillow itself reads it as a JPEG, PNG or WebP picture: the file
name and the content type the client sent are not trusted. Files over ``MAX_IMAGE_BYTES`` and
pictures over ``MAX_PIXELS`` (decompression bombs: a few kilobytes that unpack to gigabytes) are
refused before their pixels are decoded.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from kaidan.core.errors import ValidationFailed

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000
THUMBNAIL_SIZE = 320
# Pillow's format name → (stored extension, content type). MPO is how Pillow names many camera JPEGs.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "MPO": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed the checks: its bytes, what it is, and its JPEG thumbnail."""

    data: bytes
    extension: str
    content_type: str
    width: int
    height: int
    thumbnail: bytes
    original_name: str


def too_large_message(limit_bytes: int = MAX_IMAGE_BYTES) -> str:
    megabytes = f"{limit_bytes / (1024 * 1024):g}"
    return _("The image is larger than %(max)s MB.") % {"max": megabytes}


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed.for_field("file", message)


def clean_file_name(name: str | None) -> str:
    """The last part of a client's file name, without control characters; at most 200 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    text = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return text.encode("utf-8", "ignore").decode("utf-8")[:200]


def check_upload(upload, *, field_limit: int = MAX_IMAGE_BYTES) -> CheckedImage:
    """Read and check an uploaded file (Django ``UploadedFile`` or any file object with ``read``).
    Raises ValidationFailed on the field ``file`` when it is too big, not a picture or too many pixels."""
    data = upload.read(field_limit + 1)
    if len(data) > field_limit:
        raise _refuse(too_large_message(field_limit))
    not_a_picture = _("Upload a JPEG, PNG or WebP picture; this file is not one.")
    if not data:
        raise _refuse(not_a_picture)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                if kind not in FORMATS:
                    raise _refuse(not_a_picture)
                if width * height > MAX_PIXELS:
                    raise _refuse(_("The picture has too many pixels (at most %(max)s million).")
                                  % {"max": MAX_PIXELS // 1_000_000})
                probe.verify()
            thumbnail = _thumbnail(data)
        except ValidationFailed:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(_("The picture has too many pixels (at most %(max)s million).")
                          % {"max": MAX_PIXELS // 1_000_000}) from None
        except Exception:  # any failure to decode untrusted bytes means "not a picture"
            raise _refuse(not_a_picture) from None
    extension, content_type = FORMATS[kind]
    return CheckedImage(data=data, extension=extension, content_type=content_type, width=width, height=height,
                        thumbnail=thumbnail, original_name=clean_file_name(getattr(upload, "name", "")))


def _thumbnail(data: bytes) -> bytes:
    """A JPEG at most THUMBNAIL_SIZE pixels wide and high, upright, transparency on white."""
    with Image.open(io.BytesIO(data)) as picture:
        picture.load()  # decodes every pixel: a truncated or corrupt file fails here
        picture = ImageOps.exif_transpose(picture)
        picture.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
            picture = picture.convert("RGBA")
            background = Image.new("RGB", picture.size, "white")
            background.paste(picture, mask=picture.getchannel("A"))
            picture = background
        else:
            picture = picture.convert("RGB")
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()
