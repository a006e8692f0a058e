"""Handles: the name of ``/@<handle>/``. Which ones nobody may take, and the check a new or
changed handle passes (the model's own validator says what characters a handle has; the
database's case-insensitive unique index is the last word when two people race for one)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.social.models import Profile
from apps.social.models.relations import handle_validator

# Words that would read as the site's own voice or collide with its addresses; compared lowercased.
RESERVED_HANDLES: frozenset[str] = frozenset(
    {
        "about", "account", "accounts", "admin", "administrator", "api", "blog", "certificates", "courses",
        "dashboard", "explore", "followers", "following", "help", "home", "login", "logout", "me", "messages",
        "moderator", "notifications", "null", "official", "root", "search", "security", "settings", "shop",
        "signup", "social", "staff", "static", "support", "system", "media", "none", "undefined", "www",
    }
)  # fmt: skip


def handle_clean(handle: str, *, owner: Any = None) -> str:
    """``handle`` stripped (and of a leading ``@``), checked: its characters, not reserved, not
    taken by anyone but ``owner`` whatever its case. Raises ValidationError with the reason."""
    handle = (handle or "").strip().removeprefix("@")
    handle_validator(handle)
    if handle.lower() in RESERVED_HANDLES:
        raise ValidationError("That handle is reserved; choose another.", code="reserved_handle")
    taken = Profile.objects.filter(handle__iexact=handle)
    if owner is not None:
        taken = taken.exclude(user_id=owner.pk)
    if taken.exists():
        raise ValidationError("That handle is taken.", code="handle_taken")
    return handle


def _handle_base(user: Any) -> str:
    raw = user.display_name or user.email.split("@")[0]
    base = "".join(ch for ch in raw.replace(" ", "_") if ch.isascii() and (ch.isalnum() or ch == "_"))[:20]
    return base if base and base.lower() not in RESERVED_HANDLES else "user"


def profile_for(user: Any) -> Profile:
    """``user``'s profile, made with a handle of their name (their id appended when it is taken)
    the first time it is needed.

    The relations' one way to a profile they need (the viewer's settings, a followee's lock):
    the lead points it at services/profiles.py ``profile_ensure`` when the parts merge."""
    profile = Profile.objects.filter(user_id=user.pk).first()
    if profile is not None:
        return profile
    base = _handle_base(user)
    for handle in (base, f"{base[:18]}{user.pk}", f"user{user.pk}"):
        try:
            with transaction.atomic():
                return Profile.objects.get_or_create(user_id=user.pk, defaults={"handle": handle})[0]
        except IntegrityError:  # the handle is someone else's (or theirs was made a moment ago)
            profile = Profile.objects.filter(user_id=user.pk).first()
            if profile is not None:
                return profile
    raise ValidationError("No handle could be found for this account.", code="no_handle")
