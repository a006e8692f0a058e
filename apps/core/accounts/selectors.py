"""Reads about people and their roles, for the dashboards and the admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.core.accounts import roles
from apps.core.models import Role, RoleGrant, User


def people_summary() -> dict[str, int]:
    """Counts of accounts for the admin dashboards, in one query."""
    week_ago = timezone.now() - timedelta(days=7)
    return User.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        unverified=Count("id", filter=Q(email_verified_at__isnull=True)),
        joined_this_week=Count("id", filter=Q(date_joined__gte=week_ago)),
    )


def user_list_recent(*, limit: int = 5) -> QuerySet[User]:
    return User.objects.order_by("-date_joined").prefetch_related("roles")[:limit]


def role_list_with_counts() -> list[dict[str, Any]]:
    """Every role in rank order with how many people hold it."""
    counts = dict(Role.objects.annotate(holders=Count("grants")).values_list("name", "holders"))
    return [
        {"name": spec.name, "label": spec.label, "holders": counts.get(spec.name, 0), "description": spec.description}
        for spec in roles.all_roles()
    ]


def role_grant_list_recent(*, limit: int = 10) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.select_related("user", "role", "granted_by").order_by("-granted_at", "-id")[:limit]


def role_capabilities(role: str) -> list[dict[str, str]]:
    """What holding ``role`` lets one do: its own description and those of the roles it includes."""
    included = roles.included_in(role)
    return [
        {"name": spec.name, "label": spec.label, "description": spec.description}
        for spec in roles.all_roles()
        if spec.name in included
    ]
