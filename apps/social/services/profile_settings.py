"""Writes of one's own profile settings (/social/settings/profile/): handle, header image, links,
whether the account is locked, and who sees one's online status.

``profile_settings_save`` checks everything first and then writes it in one transaction under
the profile's row lock: bad input (a reserved handle, a link that is not http(s), an oversize
image) changes nothing. Unlocking an account accepts the requests waiting for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from apps.core.platform import encode_clean, open_upright, validate_image
from apps.social.handles import handle_clean
from apps.social.models import Profile
from apps.social.services import relations

LINKS_MAX = 4
LINK_LABEL_MAX = 40
LINK_URL_MAX = 300
HEADER_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """What the settings form submits, cleaned by its fields (the service checks the rules)."""

    handle: str
    locked: bool
    presence_audience: str
    links: list[dict[str, str]]
    header: UploadedFile | None = None
    remove_header: bool = False


def links_clean(links: list[dict[str, str]]) -> list[dict[str, str]]:
    """At most four links, each an http(s) address with a label (the host when none is given).
    Raises ValidationError naming the first bad one."""
    kept = [link for link in links if (link.get("url") or "").strip() or (link.get("label") or "").strip()]
    if len(kept) > LINKS_MAX:
        raise ValidationError(f"At most {LINKS_MAX} links.", code="too_many_links")
    cleaned = []
    for link in kept:
        url, label = (link.get("url") or "").strip(), (link.get("label") or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > LINK_URL_MAX or " " in url:
            raise ValidationError(f"“{url[:60]}” is not an http or https address.", code="invalid_link")
        if len(label) > LINK_LABEL_MAX:
            raise ValidationError(f"A link's label is at most {LINK_LABEL_MAX} characters.", code="long_label")
        cleaned.append({"label": label or parts.netloc, "url": url})
    return cleaned


def _header_content(upload: UploadedFile) -> tuple[ContentFile, str]:
    # Stored as its pixels encoded again: never the upload's EXIF (a phone's position) nor its name.
    suffix = validate_image(upload, max_bytes=HEADER_MAX_BYTES)
    image, transparent = open_upright(upload)
    data, suffix = encode_clean(image, suffix=suffix, transparent=transparent)
    return ContentFile(data), f"{uuid.uuid4().hex}{suffix}"


def profile_settings_save(*, profile: Profile, settings: Settings) -> Profile:
    """Save ``settings`` to ``profile`` (its owner's own): every field is checked before anything
    is written; a ValidationError maps field names to their messages and changes nothing."""
    errors: dict[str, list[str]] = {}
    handle, links, header = profile.handle, profile.links, None
    try:
        handle = handle_clean(settings.handle, owner=profile.user)
    except ValidationError as exc:
        errors["handle"] = exc.messages
    try:
        links = links_clean(settings.links)
    except ValidationError as exc:
        errors["links"] = exc.messages
    if settings.presence_audience not in Profile.Presence.values:
        errors["presence_audience"] = ["Choose who sees when you are online."]
    if settings.header is not None:
        try:
            header = _header_content(settings.header)
        except ValidationError as exc:
            errors["header"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return _write(profile, settings, handle=handle, links=links, header=header)


def _write(profile: Profile, settings: Settings, *, handle: str, links: list, header: Any) -> Profile:
    old_header = profile.header.name if profile.header else ""
    with transaction.atomic():
        row = Profile.objects.select_for_update().get(pk=profile.pk)
        unlocking = row.locked and not settings.locked
        row.handle, row.links, row.locked = handle, links, settings.locked
        row.presence_audience = settings.presence_audience
        if header is not None:
            content, name = header
            row.header.save(name, content, save=False)
        elif settings.remove_header:
            row.header = ""
        try:
            with transaction.atomic():
                row.save(update_fields=["handle", "links", "locked", "presence_audience", "header"])
        except IntegrityError:  # someone took the handle between the check and now
            if header is not None:
                default_storage.delete(row.header.name)
            raise ValidationError({"handle": ["That handle is taken."]}, code="handle_taken") from None
        if unlocking:
            relations.follow_requests_accept_all(owner=row.user)
        if old_header and old_header != (row.header.name if row.header else ""):
            # The old file goes only once the new row is committed (a rollback still points at it).
            transaction.on_commit(lambda: default_storage.delete(old_header))
    return row
