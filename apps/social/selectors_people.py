"""Reads about people and their relations for pages and panels: followers and following lists,
the requests waiting for a locked account, the blocked and muted, who to follow, and how the
viewer relates to each person shown (``relations_for``: three queries for a whole page).

Every list hides the people the viewer has blocked or been blocked by (mutual invisibility).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from apps.core.models import User
from apps.social import relations
from apps.social.models import Block, Follow, Mute, PostHashtag, Profile

ACCEPTED, PENDING = Follow.State.ACCEPTED, Follow.State.PENDING
SUGGESTIONS = 5
HASHTAG_WINDOW = 200  # the viewer's latest hashtag uses that say what they write about


@dataclass(frozen=True)
class Relation:
    """How the viewer stands to one person: what the relationship controls show."""

    self: bool = False
    signed_in: bool = False
    follow: str | None = None  # "accepted", "pending" (their request) or None
    follows_you: bool = False
    blocking: bool = False  # the viewer blocked them
    blocked_by: bool = False  # they blocked the viewer (controls offer no follow)
    muting: bool = False


def profile_url(handle: str) -> str:
    """A person's page, /@<handle>/."""
    return reverse("people:profile", args=[handle])


def profile_get(handle: str) -> Profile | None:
    """The profile of ``handle`` (any case), with its user; None when nobody has it."""
    return Profile.objects.select_related("user").filter(handle__iexact=handle, user__is_active=True).first()


def relations_for(viewer: Any, user_ids: list[int]) -> dict[int, Relation]:
    """The viewer's relation to each of ``user_ids``, in three queries whatever their number."""
    if not getattr(viewer, "is_authenticated", False):
        return {pk: Relation() for pk in user_ids}
    ids = set(user_ids)
    follows = Follow.objects.filter(
        Q(follower_id=viewer.pk, followee_id__in=ids) | Q(followee_id=viewer.pk, follower_id__in=ids)
    ).values_list("follower_id", "followee_id", "state")
    mine, theirs = {}, set()
    for follower_id, followee_id, state in follows:
        if follower_id == viewer.pk:
            mine[followee_id] = state
        elif state == ACCEPTED:
            theirs.add(follower_id)
    blocks = Block.objects.filter(
        Q(blocker_id=viewer.pk, blocked_id__in=ids) | Q(blocked_id=viewer.pk, blocker_id__in=ids)
    ).values_list("blocker_id", "blocked_id")
    blocking = {blocked for blocker, blocked in blocks if blocker == viewer.pk}
    blocked_by = {blocker for blocker, blocked in blocks if blocked == viewer.pk}
    muting = set(Mute.objects.filter(muter_id=viewer.pk, muted_id__in=ids).values_list("muted_id", flat=True))
    return {
        pk: Relation(
            self=pk == viewer.pk,
            signed_in=True,
            follow=mine.get(pk),
            follows_you=pk in theirs,
            blocking=pk in blocking,
            blocked_by=pk in blocked_by,
            muting=pk in muting,
        )
        for pk in user_ids
    }


def relation_for(viewer: Any, user: Any) -> Relation:
    """The viewer's relation to one person (a profile page's controls)."""
    return relations_for(viewer, [user.pk])[user.pk]


def people_visible_to(viewer: Any) -> QuerySet[User]:
    """Active people with a profile, without anyone ``viewer`` blocked or was blocked by (mutual
    invisibility): where every list of people starts (connections, search)."""
    hidden = relations.blocked_ids(viewer)
    return User.objects.filter(is_active=True, social_profile__isnull=False).exclude(pk__in=hidden)


_people = people_visible_to


def followers_of(profile: Profile, *, viewer: Any) -> QuerySet[User]:
    """Who follows ``profile`` (accepted), the newest first, with their profiles."""
    rows = Follow.objects.filter(followee_id=profile.user_id, state=ACCEPTED, follower_id=OuterRef("pk"))
    since = Follow.objects.filter(followee_id=profile.user_id, follower_id=OuterRef("pk")).values("created_at")[:1]
    return (
        _people(viewer)
        .filter(Exists(rows))
        .select_related("social_profile")
        .annotate(since=since)
        .order_by("-since", "-pk")
    )


def following_of(profile: Profile, *, viewer: Any) -> QuerySet[User]:
    """Whom ``profile`` follows (accepted), the newest first, with their profiles."""
    rows = Follow.objects.filter(follower_id=profile.user_id, state=ACCEPTED, followee_id=OuterRef("pk"))
    since = Follow.objects.filter(follower_id=profile.user_id, followee_id=OuterRef("pk")).values("created_at")[:1]
    return (
        _people(viewer)
        .filter(Exists(rows))
        .select_related("social_profile")
        .annotate(since=since)
        .order_by("-since", "-pk")
    )


def connection_counts(profile: Profile) -> dict[str, int]:
    """How many follow ``profile`` and how many it follows (accepted): one query."""
    counts = Follow.objects.filter(Q(followee_id=profile.user_id) | Q(follower_id=profile.user_id), state=ACCEPTED)
    return counts.aggregate(
        followers=Count("pk", filter=Q(followee_id=profile.user_id)),
        following=Count("pk", filter=Q(follower_id=profile.user_id)),
    )


def requests_for(owner: Any) -> QuerySet[Follow]:
    """The requests waiting for ``owner``'s approval, the oldest first, with the asker's profile."""
    return (
        Follow.objects.filter(
            followee_id=owner.pk, state=PENDING, follower__is_active=True, follower__social_profile__isnull=False
        )
        .exclude(follower_id__in=relations.blocked_ids(owner))
        .select_related("follower", "follower__social_profile")
        .order_by("created_at", "pk")
    )


def requests_count(owner: Any) -> int:
    return requests_for(owner).count()


def blocked_by_me(user: Any) -> QuerySet[Block]:
    """Whom ``user`` blocked, the latest first."""
    return (
        Block.objects.filter(blocker_id=user.pk)
        .select_related("blocked", "blocked__social_profile")
        .order_by("-created_at", "-pk")
    )


def muted_by_me(user: Any) -> QuerySet[Mute]:
    """Whom ``user`` muted, the latest first."""
    return (
        Mute.objects.filter(muter_id=user.pk).select_related("muted", "muted__social_profile").order_by("-created_at")
    )


def who_to_follow(user: Any, *, limit: int = SUGGESTIONS) -> list[User]:
    """People ``user`` may want to follow, best first: those most of the people they follow
    follow (friends of friends), then those who write with the hashtags they write with. Never
    themselves, anyone they follow or asked to follow, blocked either way, or muted. Four queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    asked = Follow.objects.filter(follower_id=user.pk).values("followee_id")
    excluded = relations.blocked_ids(user) | relations.muted_ids(user) | {user.pk}
    ranked = list(
        Follow.objects.filter(follower_id__in=asked.filter(state=ACCEPTED), state=ACCEPTED)
        .exclude(followee_id__in=asked)
        .exclude(followee_id__in=excluded)
        .values("followee_id")
        .annotate(mutual=Count("follower_id", distinct=True))
        .order_by("-mutual", "followee_id")
        .values_list("followee_id", flat=True)[:limit]
    )
    if len(ranked) < limit:
        ranked += _shared_hashtags(user, exclude=asked, excluded=excluded | set(ranked), limit=limit - len(ranked))
    # Silenced and suspended accounts are suggested to nobody.
    people = (
        User.objects.filter(pk__in=ranked, is_active=True, social_profile__isnull=False)
        .filter(social_profile__silenced_at__isnull=True, social_profile__suspended_at__isnull=True)
        .select_related("social_profile")
    )
    found = {person.pk: person for person in people}
    return [found[pk] for pk in ranked if pk in found]


def _shared_hashtags(user: Any, *, exclude: QuerySet, excluded: set[int], limit: int) -> list[int]:
    mine = PostHashtag.objects.filter(post__author_id=user.pk).order_by("-created_at").values("hashtag_id")
    tags = list(mine[:HASHTAG_WINDOW].values_list("hashtag_id", flat=True))
    if not tags:
        return []
    return list(
        PostHashtag.objects.filter(hashtag_id__in=set(tags))
        .exclude(post__author_id__in=exclude)
        .exclude(post__author_id__in=excluded)
        .values("post__author_id")
        .annotate(shared=Count("hashtag_id", distinct=True))
        .order_by("-shared", "post__author_id")
        .values_list("post__author_id", flat=True)[:limit]
    )
