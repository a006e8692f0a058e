"""What a learner may upload as an assignment: a file whose name ends in one of the assignment's
accepted extensions, within its size, and whose content is what that extension says (checked by
its bytes, never by its name or declared type): a renamed executable is refused as a "PDF".

Each extension the platform knows has a content check; instructors choose among them."""

from __future__ import annotations

import zipfile
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from apps.core.platform import validate_image

SNIFF_BYTES = 64 * 1024  # what a text check reads: enough to tell text from binary


def _starts_with(*signatures: bytes) -> Callable[[UploadedFile], bool]:
    def check(upload: UploadedFile) -> bool:
        upload.seek(0)
        head = upload.read(16)
        return any(head.startswith(signature) for signature in signatures)

    return check


def _image(upload: UploadedFile) -> bool:
    try:
        validate_image(upload, max_bytes=upload.size or 1)
    except ValidationError:
        return False
    return True


def _text(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff's end is still text.
        return exc.start >= len(head) - 3
    return True


def _zip_with(member: str | None) -> Callable[[UploadedFile], bool]:
    def check(upload: UploadedFile) -> bool:
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                return member is None or member in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False

    return check


# Extension -> (content check, the type the download is served as).
KNOWN: dict[str, tuple[Callable[[UploadedFile], bool], str]] = {
    "pdf": (_starts_with(b"%PDF-"), "application/pdf"),
    "png": (_image, "image/png"),
    "jpg": (_image, "image/jpeg"),
    "jpeg": (_image, "image/jpeg"),
    "gif": (_image, "image/gif"),
    "webp": (_image, "image/webp"),
    "txt": (_text, "text/plain; charset=utf-8"),
    "md": (_text, "text/markdown; charset=utf-8"),
    "zip": (_zip_with(None), "application/zip"),
    "docx": (
        _zip_with("word/document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "odt": (_zip_with("content.xml"), "application/vnd.oasis.opendocument.text"),
}
DEFAULT_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "txt", "docx", "odt")
# An image also passes validate_image as another format (a PNG named .jpg): the content decides.
_IMAGE_FORMATS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp"}


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type_of(extension: str) -> str:
    return KNOWN.get(extension, (None, "application/octet-stream"))[1]


def clean_file_name(name: str) -> str:
    """The uploaded name as the download offers it: its last path part, printable, short."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*;').strip() or "submission"
    return name[-120:]


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def validate_submission_file(upload: UploadedFile, *, extensions: list[str], max_mb: int) -> str:
    """The upload's extension once it passes the assignment's rules; raises ValidationError on
    the ``file`` field otherwise (what is wrong, and what to send instead)."""
    accepted = [extension for extension in extensions if extension in KNOWN] or list(DEFAULT_EXTENSIONS)
    names = ", ".join(f".{extension}" for extension in accepted)
    extension = extension_of(upload.name or "")
    if extension not in accepted:
        raise _refused(f"Upload a file ending in {names}.", "bad_extension")
    if upload.size is None or upload.size > max_mb * 1024 * 1024:
        raise _refused(f"A file is at most {max_mb} MB.", "file_too_large")
    if upload.size == 0:
        raise _refused("This file is empty.", "empty_file")
    check, _ = KNOWN[extension]
    ok = check(upload)
    if ok and extension in _IMAGE_FORMATS:
        ok = validate_image(upload, max_bytes=upload.size) == _IMAGE_FORMATS[extension]
    upload.seek(0)
    if not ok:
        raise _refused(f"This file's content is not a .{extension} file: upload one of {names}.", "bad_content")
    return extension
