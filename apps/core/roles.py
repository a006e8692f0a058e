"""The platform's roles and their hierarchy: pure data and set arithmetic, no queries.

A role includes everything the roles beneath it may do::

    super_admin > admin > instructor, shop_owner, blog_admin
    blog_admin > blog_author
    everyone >= user

``student`` sits beside the others, above ``user`` only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class RoleName(models.TextChoices):
    SUPER_ADMIN = "super_admin", "Super admin"
    ADMIN = "admin", "Admin"
    INSTRUCTOR = "instructor", "Instructor"
    SHOP_OWNER = "shop_owner", "Shop owner"
    BLOG_ADMIN = "blog_admin", "Blog admin"
    BLOG_AUTHOR = "blog_author", "Blog author"
    STUDENT = "student", "Student"
    USER = "user", "User"


# Each role's direct inclusions; the closure is taken below.
INCLUDES: dict[str, frozenset[str]] = {
    RoleName.SUPER_ADMIN: frozenset({RoleName.ADMIN}),
    RoleName.ADMIN: frozenset({RoleName.INSTRUCTOR, RoleName.SHOP_OWNER, RoleName.BLOG_ADMIN}),
    RoleName.INSTRUCTOR: frozenset(),
    RoleName.SHOP_OWNER: frozenset(),
    RoleName.BLOG_ADMIN: frozenset({RoleName.BLOG_AUTHOR}),
    RoleName.BLOG_AUTHOR: frozenset(),
    RoleName.STUDENT: frozenset(),
    RoleName.USER: frozenset(),
}

# Highest first: picks a user's home dashboard when they hold several roles.
RANK: tuple[str, ...] = tuple(RoleName.values)

DESCRIPTIONS: dict[str, str] = {
    RoleName.SUPER_ADMIN: "Everything, including granting admin and super admin roles.",
    RoleName.ADMIN: "Runs the platform: people, site editing and every domain below.",
    RoleName.INSTRUCTOR: "Creates and teaches courses.",
    RoleName.SHOP_OWNER: "Runs the shop: products, stock and orders.",
    RoleName.BLOG_ADMIN: "Reviews and publishes any post and moderates comments.",
    RoleName.BLOG_AUTHOR: "Writes posts and submits them for review.",
    RoleName.STUDENT: "Enrols in and follows courses.",
    RoleName.USER: "A member: profile, comments, community.",
}


def _closure(role: str) -> frozenset[str]:
    seen: set[str] = {role}
    stack = [role]
    while stack:
        for included in INCLUDES[stack.pop()]:
            if included not in seen:
                seen.add(included)
                stack.append(included)
    return frozenset(seen)


EFFECTIVE: dict[str, frozenset[str]] = {role: _closure(role) | {RoleName.USER} for role in INCLUDES}


def effective_roles(held: Iterable[str]) -> frozenset[str]:
    """Every role a holder of ``held`` may act as (always including ``user``)."""
    result: set[str] = {RoleName.USER}
    for role in held:
        result |= EFFECTIVE.get(role, frozenset())
    return frozenset(result)


def highest(held: Iterable[str]) -> str:
    held_set = set(held)
    return next((role for role in RANK if role in held_set), RoleName.USER)
