"""Checks on uploaded files by their content, never by their name or declared type."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


def validate_image(upload: UploadedFile, *, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """Accept PNG, JPEG, GIF or WebP images; returns the file suffix their content implies."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(f"Images may be at most {max_bytes // (1024 * 1024)} MB.", code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError("This image has too many pixels.", code="too_many_pixels")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.", code="not_an_image") from None
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.", code="not_an_image")
    return IMAGE_FORMATS[image_format]
