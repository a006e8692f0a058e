"""Profiles: every member gets one on first need (``profile_ensure``) with a free handle taken
from their name or email; handles are unique whatever their case (the database's constraint on
``Lower(handle)`` decides a race) and never one of the reserved words, which would read as the
site's own pages (``/@admin/``, ``/@support/``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from apps.core.platform import encode_clean, open_upright, validate_image
from apps.social.models import Profile
from apps.social.models.relations import HANDLE_MAX, handle_validator

RESERVED_HANDLES = frozenset(
    {
        "about", "abuse", "account", "accounts", "admin", "administrator", "api", "app", "auth", "billing",
        "blog", "contact", "courses", "dashboard", "everyone", "explore", "help", "home", "info", "login",
        "logout", "me", "mod", "moderator", "moderators", "news", "nobody", "notifications", "null", "official",
        "owner", "privacy", "root", "security", "settings", "shop", "signin", "signup", "social", "staff",
        "static", "status", "support", "system", "team", "terms", "undefined", "user", "users", "webmaster",
        "www",
    }
)  # fmt: skip
LINKS_MAX = 4
HEADER_MAX_SIDE = 1500


def handle_refusal(handle: str, *, user: Any = None) -> str | None:
    """Why ``handle`` may not be ``user``'s (None: it may): its form, a reserved word, or taken
    by someone else whatever the case."""
    try:
        handle_validator(handle)
    except ValidationError as exc:
        return " ".join(exc.messages)
    if handle.lower() in RESERVED_HANDLES:
        return f"@{handle} is reserved: choose another handle."
    taken = Profile.objects.filter(handle__iexact=handle)
    if user is not None:
        taken = taken.exclude(user_id=user.pk)
    if taken.exists():
        return f"@{handle} is taken: choose another handle."
    return None


def _base_handle(user: Any) -> str:
    name = user.display_name or user.email.split("@")[0]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_")[: HANDLE_MAX - 4] or "member"
    return base if base.lower() not in RESERVED_HANDLES else f"{base}_1"


def _free_handle(user: Any) -> str:
    base = _base_handle(user)
    lowered = {h.lower() for h in Profile.objects.filter(handle__istartswith=base).values_list("handle", flat=True)}
    if base.lower() not in lowered:
        return base
    for n in range(2, 10_000):
        candidate = f"{base}{n}"
        if candidate.lower() not in lowered:
            return candidate
    return f"{base[:20]}{user.pk}"


def profile_ensure(user: Any) -> Profile:
    """``user``'s profile, created with a free handle when they have none. Two racing calls end
    with one profile (the user's one-to-one and the handle's constraint decide)."""
    existing = Profile.objects.filter(user=user).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Profile.objects.create(user=user, handle=_free_handle(user))
        except IntegrityError:
            existing = Profile.objects.filter(user=user).first()
            if existing is not None:
                return existing
    # Five handles taken between the look and the insert: fall back on one nobody can hold.
    return Profile.objects.create(user=user, handle=f"member{user.pk}")


def _clean_links(links: list[dict[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for link in links[: LINKS_MAX + 1]:
        label, url = str(link.get("label", "")).strip()[:40], str(link.get("url", "")).strip()[:300]
        if not url:
            continue
        if not re.match(r"\Ahttps?://[^\s<>\"']+\Z", url):
            raise ValidationError({"links": f"{url}: a link must be an http(s) address."})
        cleaned.append({"label": label or url, "url": url})
    if len(cleaned) > LINKS_MAX:
        raise ValidationError({"links": f"At most {LINKS_MAX} links."})
    return cleaned


def _header_content(upload: UploadedFile) -> ContentFile:
    """The header's pixels only (no metadata), upright, at most HEADER_MAX_SIDE a side."""
    try:
        suffix = validate_image(upload)
        picture, transparent = open_upright(upload)
    except ValidationError as exc:
        raise ValidationError({"header": " ".join(exc.messages)}) from None
    picture.thumbnail((HEADER_MAX_SIDE, HEADER_MAX_SIDE), Image.Resampling.LANCZOS)
    content, suffix = encode_clean(picture, suffix=suffix, transparent=transparent)
    return ContentFile(content, name=f"header{suffix}")


@transaction.atomic
def profile_update(
    *,
    user: Any,
    handle: str,
    links: list[dict[str, str]] | None = None,
    header: UploadedFile | None = None,
    remove_header: bool = False,
) -> Profile:
    """Change ``user``'s handle (checked as ``handle_refusal`` says), links (http(s) only, at
    most LINKS_MAX) and header image (re-encoded without metadata). Raises ValidationError,
    changing nothing."""
    profile = Profile.objects.select_for_update().get(pk=profile_ensure(user).pk)
    if (refusal := handle_refusal(handle, user=user)) is not None:
        raise ValidationError({"handle": refusal})
    content = _header_content(header) if header is not None else None
    profile.handle = handle
    if links is not None:
        profile.links = _clean_links(links)
    old_header = profile.header.name
    if content is not None:
        profile.header.save(content.name, content, save=False)
    elif remove_header:
        profile.header = ""
    try:
        with transaction.atomic():
            profile.save(update_fields=["handle", "links", "header"])
    except IntegrityError:
        raise ValidationError({"handle": f"@{handle} is taken: choose another handle."}) from None
    if old_header and old_header != profile.header.name:
        transaction.on_commit(lambda: default_storage.delete(old_header))
    return profile
