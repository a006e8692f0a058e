"""Profiles: every member gets one on first need (``profile_ensure``) with a free handle taken
from their name or email; handles are unique whatever their case (the database's constraint on
``Lower(handle)`` decides a race) and never one of the reserved words, which would read as the
site's own pages (``/@admin/``, ``/@support/``; apps/social/handles.py). A member changes theirs,
with their links, header and lock, in services/profile_settings.py."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction

from apps.social.handles import RESERVED_HANDLES
from apps.social.models import Profile
from apps.social.models.relations import HANDLE_MAX


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
