"""The one access policy: template views, the API, websocket consumers and the admin all ask here.

Most answers come from roles (loaded once per user per request, then pure set arithmetic) and
ownership (a field comparison); guardian's per-object grants are asked only for explicit grants.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from apps.core.accounts import roles
from apps.core.accounts.roles import RoleName, effective_roles, highest

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


def remember_roles(user: Any, names: Any) -> None:
    """Set the roles granted to this user object (read by the session's backend)."""
    setattr(user, _CACHE_ATTR, frozenset(names))


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
    """Admins open the people admin; which accounts they may change: ``account_change_refusal``."""
    return has_role(actor, RoleName.ADMIN)


class AccountChange(StrEnum):
    """What may be done to an account; each surface (admin, API, commands) names the one it does."""

    PROFILE = "profile"  # display name, bio, avatar
    PASSWORD = "password"  # noqa: S105 (the name of a change, not a secret)
    EMAIL = "email"
    ACTIVE = "active"
    ROLES = "roles"
    DELETE = "delete"


# What anyone may do to their own account. Not the rest: a super admin who revokes their own role
# or deactivates themselves locks the platform out of its top role, and the email is the key to a
# password reset.
SELF_SERVICE = frozenset({AccountChange.PROFILE, AccountChange.PASSWORD})


_SELF_REFUSALS = {
    AccountChange.EMAIL: "You may not change your own email address; someone above your role may.",
    AccountChange.ACTIVE: "You may not deactivate or reactivate your own account.",
    AccountChange.ROLES: "You may not change your own roles; someone above your role may.",
    AccountChange.DELETE: "You may not delete your own account.",
}


def account_rank(user: Any) -> str:
    """The highest role ``user`` holds, whether or not the account is active.

    ``highest_role`` answers None for a deactivated account (it may act as nothing), but as a target
    a deactivated super admin is still a super admin: re-activating it is exactly what must be refused.
    The ``is_superuser`` flag counts too, should an account have it without the role.
    """
    names = set(held_roles(user)) if user.is_active else {role.name for role in user.roles.all()}
    if user.is_superuser:
        names.add(RoleName.SUPER_ADMIN)
    return highest(names)


def account_change_refusal(actor: Any, target: Any, change: AccountChange | str) -> str | None:
    """Why ``actor`` may not make ``change`` to ``target``'s account, or None if they may.

    On their own account anyone changes their profile and password. Everything else needs an
    account manager (an admin) whose highest role is strictly above the target's highest role:
    nobody changes or deletes an account at or above their own, so an admin cannot take over a
    super admin, nor a super admin another super admin.
    """
    change = AccountChange(change)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return "Sign in to change accounts."
    if actor.pk == target.pk:
        if change in SELF_SERVICE:
            return None
        return _SELF_REFUSALS[change]
    if not can_manage_users(actor):
        return "You may not change other people's accounts."
    mine, theirs = highest_role(actor), account_rank(target)
    if mine in roles.included_in(theirs):  # their role includes (or is) mine: at or above it
        return (
            f"You may not change {target.email}: their role ({roles.label(theirs)}) "
            f"is at or above yours ({roles.label(mine)})."
        )
    return None


def can_change_account(actor: Any, target: Any, change: AccountChange | str) -> bool:
    """Whether ``actor`` may make ``change`` to ``target``'s account (``account_change_refusal``)."""
    return account_change_refusal(actor, target, change) is None


def can_manage_account(actor: Any, target: Any) -> bool:
    """Whether ``actor`` may change everything about ``target`` that the policy guards (email, active
    flag, roles, password) and delete it: an admin, strictly above the target, not on themselves."""
    return can_change_account(actor, target, AccountChange.ROLES)


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


def can_upload_block_image(user: Any) -> bool:
    """Uploading images for image blocks: anyone who may draft some kind of publishable content.

    Asked of every ``Publishable`` model's roles (``draft_roles`` and ``publish_roles``), so a
    domain that adds content with its own drafting roles lets those roles upload too; models
    that narrow drafting to owners still let their role draft its own, so the role suffices."""
    roles = roles_of(user)
    if not roles:
        return False
    from django.apps import apps

    from apps.core.publishing.models import Publishable

    return any(
        issubclass(model, Publishable) and roles & (model.draft_roles | model.publish_roles)
        for model in apps.get_models()
    )


def is_owner(user: Any, obj: Any, *, field: str = "owner_id") -> bool:
    """Whether ``obj.<field>`` names ``user``."""
    return bool(getattr(user, "is_authenticated", False) and getattr(obj, field, None) == user.pk)


def has_object_grant(user: Any, perm: str, obj: Any) -> bool:
    """An explicit per-object grant (django-guardian), e.g. ``has_object_grant(u, "core.change_sitepage", page)``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm(perm, obj)


def can_view_styleguide(user: Any) -> bool:
    """The design system's style guide (/styleguide/) is for staff: the people who build pages."""
    return can_access_admin(user)
