"""The platform's roles and their hierarchy: pure data and set arithmetic, no queries.

Core declares the roles every install has; each domain app declares its own in its hook
(``apps/<app>/platform.py``, ``AppHook.roles``), naming the roles that include them. A role
includes everything the roles beneath it may do::

    super_admin > admin > instructor, shop_owner, <the domains' staff roles>
    everyone >= user

``student`` sits beside the others, above ``user`` only. The closure is taken once, the first
time a role is asked about (``CoreConfig.ready`` asks at startup), from core's roles plus the
installed hooks' roles; afterwards every answer is set arithmetic on frozen data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class RoleSpec:
    """One role: its name (the ``Role`` row's), how people read it, and where it sits."""

    name: str
    label: str
    description: str
    # The roles that include this one: whoever holds a parent may act as this role too.
    parents: tuple[str, ...] = ()
    # The dashboard its holders land on (a ``Dashboard.key``); None: the member dashboard.
    dashboard: str | None = None


class RoleName(models.TextChoices):
    """Core's own roles. A domain's roles are plain strings declared by its hook."""

    SUPER_ADMIN = "super_admin", "Super admin"
    ADMIN = "admin", "Admin"
    INSTRUCTOR = "instructor", "Instructor"
    SHOP_OWNER = "shop_owner", "Shop owner"
    STUDENT = "student", "Student"
    USER = "user", "User"


# Highest first: the rank picks a user's home dashboard when they hold several roles. The
# domains' roles rank between core's staff roles and its member roles, in INSTALLED_APPS order.
CORE_STAFF_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        RoleName.SUPER_ADMIN,
        "Super admin",
        "Everything, including granting admin and super admin roles.",
        dashboard="super-admin",
    ),
    RoleSpec(
        RoleName.ADMIN,
        "Admin",
        "Runs the platform: people, site editing and every domain below.",
        parents=(RoleName.SUPER_ADMIN,),
        dashboard="admin",
    ),
    RoleSpec(
        RoleName.INSTRUCTOR,
        "Instructor",
        "Creates and teaches courses.",
        parents=(RoleName.ADMIN,),
        dashboard="instructor",
    ),
    RoleSpec(
        RoleName.SHOP_OWNER,
        "Shop owner",
        "Runs the shop: products, stock and orders.",
        parents=(RoleName.ADMIN,),
        dashboard="shop",
    ),
)
CORE_MEMBER_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(RoleName.STUDENT, "Student", "Enrols in and follows courses."),
    RoleSpec(RoleName.USER, "User", "A member: a profile, and comments on what the site publishes."),
)


@dataclass(frozen=True)
class Hierarchy:
    """Every role in rank order with the closure of what each includes."""

    ranked: tuple[RoleSpec, ...]
    by_name: dict[str, RoleSpec]
    effective: dict[str, frozenset[str]]


def build_hierarchy(domain_roles: Iterable[RoleSpec]) -> Hierarchy:
    """Core's roles plus ``domain_roles``, checked (unique names, known parents) and closed."""
    ranked = (*CORE_STAFF_ROLES, *domain_roles, *CORE_MEMBER_ROLES)
    by_name: dict[str, RoleSpec] = {}
    for spec in ranked:
        if spec.name in by_name:
            raise ImproperlyConfigured(f"The role {spec.name!r} is declared twice.")
        by_name[spec.name] = spec
    includes: dict[str, set[str]] = {name: set() for name in by_name}
    for spec in ranked:
        for parent in spec.parents:
            if parent not in by_name:
                raise ImproperlyConfigured(f"The role {spec.name!r} names an unknown parent role {parent!r}.")
            includes[parent].add(spec.name)

    def closure(role: str) -> frozenset[str]:
        seen = {role}
        stack = [role]
        while stack:
            for included in includes[stack.pop()]:
                if included not in seen:
                    seen.add(included)
                    stack.append(included)
        return frozenset(seen)

    effective = {name: closure(name) | {RoleName.USER} for name in by_name}
    return Hierarchy(ranked=ranked, by_name=by_name, effective=effective)


@cache
def hierarchy() -> Hierarchy:
    """The installed roles, closed once (the hook registry is read the first time)."""
    from apps.core.platform.hooks import registry

    return build_hierarchy(registry().roles)


def all_roles() -> tuple[RoleSpec, ...]:
    """Every installed role, highest first."""
    return hierarchy().ranked


def names() -> list[str]:
    """Every installed role's name, highest first."""
    return [spec.name for spec in hierarchy().ranked]


def get(name: str) -> RoleSpec | None:
    return hierarchy().by_name.get(name)


def label(name: str) -> str:
    spec = get(name)
    return spec.label if spec else name


def description(name: str) -> str:
    spec = get(name)
    return spec.description if spec else ""


def choices() -> list[tuple[str, str]]:
    """``(name, label)`` for every installed role: the ``Role`` row's choices."""
    return [(spec.name, spec.label) for spec in hierarchy().ranked]


def included_in(role: str) -> frozenset[str]:
    """The roles a holder of ``role`` may act as (itself, those beneath it and ``user``)."""
    return hierarchy().effective.get(role, frozenset())


def effective_roles(held: Iterable[str]) -> frozenset[str]:
    """Every role a holder of ``held`` may act as (always including ``user``)."""
    effective = hierarchy().effective
    result: set[str] = {RoleName.USER}
    for role in held:
        result |= effective.get(role, frozenset())
    return frozenset(result)


def highest(held: Iterable[str]) -> str:
    held_set = set(held)
    return next((spec.name for spec in hierarchy().ranked if spec.name in held_set), RoleName.USER)
