"""The one access policy: template views, the API, websocket consumers and the admin all ask here.

Most answers come from roles (loaded once per user per request, then pure set arithmetic) and
ownership (a field comparison); guardian's per-object grants are asked only for explicit grants.
"""

from __future__ import annotations

from typing import Any

from apps.core import roles
from apps.core.roles import RoleName, effective_roles, highest

_CACHE_ATTR = "_platform_roles"


def held_roles(user: Any) -> frozenset[str]:
    """The roles granted to ``user`` (not those included through the hierarchy)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        # roles.all() reads a prefetch when the backend or selector made one.
        cached = frozenset(role.name for role in user.roles.all())
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the roles cached on this user object (after a grant or revoke)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    prefetched = getattr(user, "_prefetched_objects_cache", None)
    if prefetched:
        prefetched.pop("roles", None)


def roles_of(user: Any) -> frozenset[str]:
    """Every role ``user`` may act as; empty for anonymous and deactivated users."""
    held = held_roles(user)
    if not held and not getattr(user, "is_authenticated", False):
        return frozenset()
    return effective_roles(held) if user.is_active else frozenset()


def has_role(user: Any, role: str) -> bool:
    """Whether ``user`` holds ``role`` or a role above it."""
    return role in roles_of(user)


def highest_role(user: Any) -> str | None:
    """The highest role ``user`` holds, or None for anonymous visitors."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return highest(held_roles(user))


def can_receive_notifications(user: Any) -> bool:
    """A signed-in, active account may open its own notification socket."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_access_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def can_manage_users(actor: Any) -> bool:
    """Admins see and edit people and grant the roles below their own."""
    return has_role(actor, RoleName.ADMIN)


def can_grant_role(actor: Any, role: str) -> bool:
    """A super admin grants any role; an admin grants the roles below admin."""
    if has_role(actor, RoleName.SUPER_ADMIN):
        return True
    return has_role(actor, RoleName.ADMIN) and role not in (RoleName.ADMIN, RoleName.SUPER_ADMIN)


def grantable_roles(actor: Any) -> list[str]:
    return [role for role in roles.names() if can_grant_role(actor, role)]


def can_publish(user: Any, obj: Any) -> bool:
    """Publishing, unpublishing and scheduling: the content decides (``Publishable.allows_publish_by``),
    by default from the roles its model names (admins by default)."""
    return obj.allows_publish_by(user)


def can_edit_draft(user: Any, obj: Any) -> bool:
    """Saving drafts and previewing them: the content decides (``Publishable.allows_draft_by``), by
    default publishers and the roles the model allows to draft; models with owners narrow it."""
    return obj.allows_draft_by(user)


def is_owner(user: Any, obj: Any, *, field: str = "owner_id") -> bool:
    """Whether ``obj.<field>`` names ``user``."""
    return bool(getattr(user, "is_authenticated", False) and getattr(obj, field, None) == user.pk)


def has_object_grant(user: Any, perm: str, obj: Any) -> bool:
    """An explicit per-object grant (django-guardian), e.g. ``has_object_grant(u, "core.change_sitepage", page)``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm(perm, obj)
