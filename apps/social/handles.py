"""Handles: the name of ``/@<handle>/``. Which ones nobody may take, and the check a new or
changed handle passes (the model's own validator says what characters a handle has; the
database's case-insensitive unique index is the last word when two people race for one)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from apps.social.models import Profile
from apps.social.models.relations import handle_validator

# Words that would read as the site's own voice or collide with its addresses; compared lowercased.
RESERVED_HANDLES: frozenset[str] = frozenset(
    {
        "about", "abuse", "account", "accounts", "admin", "administrator", "api", "app", "auth", "billing",
        "blog", "certificates", "contact", "courses", "dashboard", "everyone", "explore", "followers",
        "following", "help", "home", "info", "login", "logout", "me", "media", "messages", "mod", "moderator",
        "moderators", "news", "nobody", "none", "notifications", "null", "official", "owner", "privacy",
        "root", "search", "security", "settings", "shop", "signin", "signup", "social", "staff", "static",
        "status", "support", "system", "team", "terms", "undefined", "user", "users", "webmaster", "www",
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


def handle_refusal(handle: str, *, user: Any = None) -> str | None:
    """Why ``handle`` may not be ``user``'s (None: it may), as ``handle_clean`` says."""
    try:
        handle_clean(handle, owner=user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def profile_for(user: Any) -> Profile:
    """``user``'s profile, made with a free handle the first time it is needed."""
    from apps.social.services.profiles import profile_ensure  # the service writes; this module reads

    return profile_ensure(user)
