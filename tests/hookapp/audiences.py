"""The tiny app's audience (``hookapp.group``): the members of a test group, an auth ``Group``
named by its id. Posted to by its members; read by its members. The social network's visibility
sweep (tests/social/test_visibility_sweep.py) addresses it through this hook alone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.core.platform import Audience


def _pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def group_refs(user: Any) -> list[str]:
    pk = _pk(user)
    if pk is None:
        return []
    return [str(group_id) for group_id in Group.objects.filter(user__pk=pk).order_by("pk").values_list("pk", flat=True)]


def group_choices(author: Any) -> list[tuple[str, str]]:
    pk = _pk(author)
    if pk is None:
        return []
    return [(str(group_id), name) for group_id, name in Group.objects.filter(user__pk=pk).values_list("pk", "name")]


def group_member(user: Any, ref: str) -> bool:
    return ref in group_refs(user)


def group_member_ids(ref: str) -> list[int]:
    if not ref.isdigit() or len(ref) > 12:
        return []
    return sorted(get_user_model().objects.filter(groups__pk=int(ref)).values_list("pk", flat=True))


AUDIENCES = (
    Audience(
        key="hookapp.group",
        label="A test group's members",
        choices_for=group_choices,
        is_member=group_member,
        refs_of=group_refs,
        member_ids=group_member_ids,
    ),
)
