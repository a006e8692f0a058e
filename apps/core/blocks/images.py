"""Images for image blocks: uploaded by editors into the site's own storage, referred to by key.

An image block's ``src`` is a storage key, ``uploads/blocks/<32 hex>.webp``, written only by
:func:`block_image_upload`: the upload is checked by its content, re-encoded (metadata gone,
orientation applied, at most ``MAX_SIDE`` pixels a side) and named by the hash of what is
stored, so uploading the same picture twice stores it once. Pages show it through the storage's
own URL (a filesystem path under MEDIA_URL, or S3's signed URL), which the site's
Content-Security-Policy allows; an external URL would be blocked by it, so none is accepted.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from apps.core.accounts.permissions import can_upload_block_image
from apps.core.platform.uploads import open_upright, validate_image

PREFIX = "uploads/blocks/"
KEY = re.compile(r"uploads/blocks/[0-9a-f]{32}\.webp")
MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2400  # wide enough for a full-width block on a large screen, small enough to send
WEBP_QUALITY = 82


@dataclass(frozen=True)
class StoredBlockImage:
    key: str
    url: str
    width: int
    height: int

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "url": self.url, "width": self.width, "height": self.height}


def block_image_key(src: str) -> str | None:
    """The storage key ``src`` names, or None when it names no block image.

    Accepts the key itself, and (for blocks stored before keys were required) the same file
    written as its address under MEDIA_URL (``/media/uploads/blocks/....webp``). Checks the
    form only; :func:`block_image_problem` also asks the storage whether the file exists."""
    media_url = settings.MEDIA_URL or ""
    if media_url and src.startswith(media_url):
        src = src[len(media_url) :]
    return src if KEY.fullmatch(src) else None


def block_image_problem(src: str) -> str | None:
    """Why ``src`` may not be an image block's source, or None (the message follows "src")."""
    if src.lower().startswith(("http://", "https://", "//")):
        return (
            "must be an image uploaded to this site (an external URL is refused: the site's "
            "Content-Security-Policy would block it); upload the image in the block editor"
        )
    key = block_image_key(src)
    if key is None:
        return f"must be the key of an image uploaded to this site ({PREFIX}<32 hex digits>.webp)"
    if not default_storage.exists(key):
        return f"names no uploaded image ({key} is not in the storage); upload the image again"
    return None


def block_image_url(key: str) -> str:
    """The address a page shows ``key`` at; computed locally (S3 signs without a request)."""
    return default_storage.url(key)


def block_image_upload(*, user: Any, file: UploadedFile) -> StoredBlockImage:
    """Store ``file`` as an image for image blocks; returns its key, URL and size.

    Refuses (PermissionDenied) users who may not draft any publishable content, and
    (ValidationError, nothing stored) files over ``MAX_BYTES``, files that are not PNG, JPEG,
    GIF or WebP images by their content, and images with too many pixels. The stored file is a
    WebP re-encoding without the upload's metadata, rotated as the camera meant, at most
    ``MAX_SIDE`` a side, named by its hash: storing the same image again returns the same key.
    """
    if not can_upload_block_image(user):
        raise PermissionDenied("You may not upload images.")
    validate_image(file, max_bytes=MAX_BYTES)
    encoded, width, height = _reencode(file)
    key = f"{PREFIX}{hashlib.sha256(encoded).hexdigest()[:32]}.webp"
    if not default_storage.exists(key):
        saved = default_storage.save(key, ContentFile(encoded))
        if saved != key:
            # Written between the check and the save: the same bytes are there already.
            default_storage.delete(saved)
    return StoredBlockImage(key=key, url=block_image_url(key), width=width, height=height)


def _reencode(file: UploadedFile) -> tuple[bytes, int, int]:
    image, _ = open_upright(file)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif=/icc_profile= arguments: nothing of the upload's metadata is written back.
    image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue(), image.width, image.height
