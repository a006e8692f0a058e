"""Audiences: the groups other apps offer as a post's readers (``AppHook.audiences``), read
through core's registry so the social network names no provider. A post stores its group as
``"<key>:<ref>"`` (``"lms.cohort:12"``) in ``Post.audience``."""

from __future__ import annotations

from typing import Any

from apps.core.platform import Audience, registry


def audiences() -> dict[str, Audience]:
    """Every installed app's audiences by key."""
    return registry().audiences


def audience_split(value: str) -> tuple[Audience, str] | None:
    """The provider and ref a stored audience names, or None when no installed app offers it."""
    key, _, ref = value.partition(":")
    provider = audiences().get(key)
    return (provider, ref) if provider is not None and ref else None


def audience_choices(author: Any) -> list[tuple[str, str, str]]:
    """(value, provider label, group label) of each group ``author`` may post to."""
    return [
        (f"{provider.key}:{ref}", provider.label, label)
        for provider in audiences().values()
        for ref, label in provider.choices_for(author)
    ]


def audience_may_post(author: Any, value: str) -> bool:
    """Whether ``author`` may address the group ``value`` names."""
    return any(choice == value for choice, _, _ in audience_choices(author))


def audience_label(value: str) -> str:
    """What readers see a post was addressed to ("Learners of Pottery"); its key when gone."""
    found = audience_split(value)
    if found is None:
        return value
    provider, ref = found
    return provider.label


def is_member(user: Any, value: str) -> bool:
    """Whether ``user`` reads the posts of the group ``value`` names (never for a gone provider)."""
    if not getattr(user, "is_authenticated", False):
        return False
    found = audience_split(value)
    return found is not None and bool(found[0].is_member(user, found[1]))


def memberships(user: Any) -> list[str]:
    """Every group ``user`` belongs to, as stored values: one query per provider, for a list's SQL."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [f"{provider.key}:{ref}" for provider in audiences().values() for ref in provider.refs_of(user)]


def member_ids(value: str) -> list[int]:
    """The ids of the group's members (a timeline's fan-out); empty when its provider offers none."""
    found = audience_split(value)
    if found is None or found[0].member_ids is None:
        return []
    return list(found[0].member_ids(found[1]))
