"""Cover images: checked by content, stored under a random name that carries their size, with
responsive WebP renditions beside them.

``blog/covers/2026/<32 hex>_1920x1080.jpg`` is the upload's pixels encoded again, upright and
without its metadata (kept for future renditions, never linked); ``..._1920x1080_480w.webp``,
``_960w`` and ``_1600w`` are what pages show. Which renditions exist follows from the width in
the name, so a page builds ``srcset`` with no query and no storage round trip.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from PIL import Image

from apps.blog.models import COVER_NAME
from apps.core.platform import encode_clean, open_upright, validate_image

RENDITION_WIDTHS = (480, 960, 1600)
WEBP_QUALITY = 80


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int

    @property
    def url(self) -> str:
        return default_storage.url(self.name)


def rendition_widths(width: int) -> list[int]:
    """The widths made for an image ``width`` pixels wide: never upscaled, at most the largest."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    largest = min(width, RENDITION_WIDTHS[-1])
    return widths if largest in widths else [*widths, largest]


def renditions(name: str) -> list[Rendition]:
    """The renditions of a stored cover, narrowest first; empty for a name this module did not write."""
    match = COVER_NAME.fullmatch(name or "")
    if match is None:
        return []
    width, height = int(match["width"]), int(match["height"])
    stem = name.rsplit(".", 1)[0]
    return [Rendition(f"{stem}_{w}w.webp", w, max(1, round(height * w / width))) for w in rendition_widths(width)]


def _encode_webp(image: Image.Image, width: int) -> bytes:
    height = max(1, round(image.height * width / image.width))
    resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def cover_store(upload: UploadedFile) -> str:
    """Check ``upload`` by its content, store it and its renditions; returns the cover's name.

    Raises ValidationError for anything that is not a PNG, JPEG, GIF or WebP image. If storing
    fails half-way, what was written is deleted again."""
    suffix = validate_image(upload)
    image, transparent = open_upright(upload)
    # The kept original is the upload's pixels encoded again: never its EXIF (a phone's GPS
    # position, the camera's serial) nor bytes appended after the image.
    original, suffix = encode_clean(image, suffix=suffix, transparent=transparent)
    stem = f"blog/covers/{timezone.now():%Y}/{uuid.uuid4().hex}_{image.width}x{image.height}"
    written: list[str] = []
    try:
        written.append(_save_exact(f"{stem}{suffix}", ContentFile(original)))
        for rendition in renditions(f"{stem}{suffix}"):
            written.append(_save_exact(rendition.name, ContentFile(_encode_webp(image, rendition.width))))
    except Exception:
        cover_delete_files(written)
        raise
    return written[0]


def _save_exact(name: str, content: object) -> str:
    saved = default_storage.save(name, content)
    if saved != name:
        # Storage renamed it (a name collision): the size in the name would no longer be found.
        default_storage.delete(saved)
        raise ValidationError("The image could not be stored; try again.", code="storage_conflict")
    return saved


def cover_delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def cover_delete(name: str) -> None:
    """Delete a cover and its renditions (only ones that no revision refers to)."""
    if COVER_NAME.fullmatch(name or ""):
        cover_delete_files([name, *(rendition.name for rendition in renditions(name))])
