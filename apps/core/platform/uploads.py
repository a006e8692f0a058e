"""Checks on uploaded files by their content, never by their name or declared type."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
AVATAR_MAX_SIDE = 512  # avatars show at most a few hundred pixels wide
JPEG_QUALITY = 85


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


def open_upright(upload: UploadedFile) -> tuple[Image.Image, bool]:
    """The upload's pixels, decoded: the first frame of an animation, turned as the EXIF orientation
    says (phones store rotation as metadata), in RGB or RGBA; and whether it has transparency.

    Every stored image starts here, so none keeps what the upload carried beside its pixels.
    Call ``validate_image`` first. Raises ValidationError when the pixels cannot be decoded."""
    try:
        with Image.open(upload) as opened:
            opened.seek(0)
            image = ImageOps.exif_transpose(opened)
            transparent = "A" in image.getbands() or image.mode == "P" or "transparency" in image.info
            image = image.convert("RGBA" if transparent else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError("This image could not be read.", code="not_an_image") from None
    finally:
        upload.seek(0)
    return image, transparent


def image_reencode(upload: UploadedFile, *, max_side: int) -> tuple[ContentFile, str]:
    """The image decoded and encoded again, at most ``max_side`` pixels on its longer side.

    What an upload carries beside its pixels never reaches storage: EXIF (a phone's GPS position,
    the camera's make and serial), ICC and XMP blocks, comments, and bytes appended after the
    image (a polyglot file). The EXIF orientation is applied to the pixels first, so the picture
    stands as it was taken. An animation keeps its first frame. Returns the new content and the
    suffix of the format it is stored in (JPEG stays JPEG; anything with transparency or a
    palette becomes PNG; WebP stays WebP). Raises ValidationError like ``validate_image``.
    """
    suffix = validate_image(upload)
    image, transparent = open_upright(upload)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    content, suffix = encode_clean(image, suffix=suffix, transparent=transparent)
    return ContentFile(content), suffix


def encode_clean(image: Image.Image, *, suffix: str, transparent: bool) -> tuple[bytes, str]:
    """``image`` encoded with nothing but its pixels, in the upload's format where it can keep it
    (``suffix`` from ``validate_image``): JPEG and WebP stay; the rest, and transparent JPEGs, become PNG."""
    if suffix == ".webp":
        image_format, suffix = "WEBP", ".webp"
    elif suffix == ".jpg" and not transparent:
        image_format, suffix = "JPEG", ".jpg"
    else:
        image_format, suffix = "PNG", ".png"
    buffer = io.BytesIO()
    # A fresh image has an empty info dict, so save() writes no EXIF, ICC or comment blocks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    options = {"quality": JPEG_QUALITY, "optimize": True} if image_format == "JPEG" else {}
    clean.save(buffer, format=image_format, **options)
    return buffer.getvalue(), suffix
