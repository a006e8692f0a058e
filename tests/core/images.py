"""Images for tests of image blocks: files made with Pillow, and keys stored as an upload stores them."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(
    size: tuple[int, int] = (64, 48),
    *,
    image_format: str = "PNG",
    colour: str = "#2f5bea",
    exif: Image.Exif | None = None,
) -> bytes:
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, colour).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def image_upload(name: str = "photo.png", content: bytes | None = None, content_type: str = "image/png"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type=content_type)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def stored_key(digits: str = "0" * 32) -> str:
    """A block image key with a file behind it (written directly, as if uploaded before)."""
    key = f"uploads/blocks/{digits}.webp"
    if not default_storage.exists(key):
        default_storage.save(key, ContentFile(image_bytes(image_format="WEBP")))
    return key
