"""Helpers shared by the account page tests."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.core.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "Another-Secret-77!"
HTMX = {"HX-Request": "true"}


def path_of_link(body: str) -> str:
    """The path of the first link in an email body (emails link to SITE_URL)."""
    match = re.search(r"https?://\S+", body)
    assert match, body
    return urlsplit(match.group(0)).path


def without_csrf(html: str) -> str:
    # The masked CSRF token differs on every render; everything else must be the same.
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))


def non_field_errors(html: str) -> str:
    match = re.search(r'<ul class="errorlist nonfield">.*?</ul>', html, re.S)
    return match.group(0) if match else ""


def png(name: str = "me.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def signed_in_id(client) -> str | None:  # type: ignore[no-untyped-def]
    return client.session.get("_auth_user_id")


def register(client, email: str, password: str = NEW_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    data = {"email": email, "display_name": "Nina New", "password1": password, "password2": password, **extra}
    return client.post("/accounts/register/", data)


def sign_in(client, email: str, password: str = DEFAULT_PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


def jpeg_with_gps_and_trailer(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A 16x8 JPEG from a phone: GPS position, camera make, "rotate 90°" orientation, and bytes
    appended after the image's end (the kind of payload a polyglot file carries)."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0112] = 6  # Orientation: the picture is shown rotated 90° clockwise
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 2.5)}  # GPSInfo
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), (30, 120, 200)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue() + b"<script>alert(1)</script>", content_type="image/jpeg")
