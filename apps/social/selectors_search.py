"""Search on the social network: people, posts and hashtags as the searcher may see them, for
the search page (views/search.py) and the API (api/search.py) alike.

Text goes through core's one full-text interface (``apps.core.platform.search``): posts' text
and content warning, people's names and bios (on the platform's user table; migration
``0004_search`` creates both indexes, GIN on PostgreSQL, FTS5 on SQLite). Who may see what is
the network's own rules, never re-implemented here:

- posts start from ``selectors.posts_visible_to`` (the one rule ``post_and_original_visible_q``:
  blocks either way, followers, mentioned, audiences; live posts only; the viewer's mutes left
  out), so a rule added there (a suspension) holds for search too;
- people are the people lists' own (``selectors_people``'s: active, with a profile, nobody the
  viewer blocked or was blocked by);
- hashtags are counted over public live posts, without those of people blocked either way.

Each returns a queryset, ranked; a page of it costs the same queries whatever its length.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from apps.core.models import User
from apps.core.platform import search
from apps.social import permissions, relations
from apps.social.models import Hashtag, Post
from apps.social.selectors import posts_visible_to
from apps.social.selectors_people import people_visible_to

__all__ = ["KINDS", "POST_INDEX", "PEOPLE_INDEX", "search_hashtags", "search_people", "search_posts"]

KINDS = ("posts", "people", "hashtags")
# The indexes migration 0004_search creates (their names, tables and columns as written there).
POST_INDEX = search.SearchIndex("social_post_search", "social_post", ("text", "content_warning"))
PEOPLE_INDEX = search.SearchIndex("social_people_search", "core_user", ("display_name", "bio"))

_HANDLE = re.compile(r"\A@?([A-Za-z0-9_]{1,30})\Z")
_TAG = re.compile(r"[^\W_]\w{0,99}")


def search_posts(viewer: Any, q: str) -> QuerySet[Post]:
    """The live posts ``viewer`` may read whose text or content warning holds every word of ``q``
    (the last as a prefix), best match first; ready for cards (``with_viewer_state`` per page).
    Reposts carry no text of their own, so the original is what is found."""
    return search.matching(posts_visible_to(viewer).filter(repost_of__isnull=True), POST_INDEX, q)


def search_people(viewer: Any, q: str) -> QuerySet[User]:
    """People ``viewer`` may see whose handle starts with ``q`` (one word, an optional ``@``) or
    whose name or bio holds its words: the handle that is ``q`` first, then handles starting
    with it, then the best text match. With their profiles."""
    # Staff's limits hold here as on the public timeline: a suspended account is found by nobody,
    # a silenced one only by the people who already follow it.
    people = (
        people_visible_to(viewer)
        .filter(social_profile__suspended_at__isnull=True)
        .exclude(Q(social_profile__silenced_at__isnull=False) & ~Q(pk__in=relations.following_ids(viewer)))
        .select_related("social_profile")
    )
    found = search.match(PEOPLE_INDEX, q, using=people.db)
    handle = _HANDLE.match(q.strip())
    if found is None and handle is None:
        return people.none()
    condition = Q(found.condition) if found is not None else Q(pk__in=[])
    exact = prefix = Value(False)
    if handle is not None:
        condition |= Q(social_profile__handle__istartswith=handle[1])
        exact = Case(When(social_profile__handle__iexact=handle[1], then=True), default=False)
        prefix = Case(When(social_profile__handle__istartswith=handle[1], then=True), default=False)
    rank = Coalesce(found.rank, 0.0) if found is not None else Value(0.0)
    return (
        people.filter(condition)
        .annotate(
            handle_exact=Value(False, output_field=BooleanField()) if handle is None else exact,
            handle_prefix=Value(False, output_field=BooleanField()) if handle is None else prefix,
            search_rank=rank,
        )
        .order_by("-handle_exact", "-handle_prefix", "-search_rank", "-pk")
    )


def search_hashtags(viewer: Any, q: str) -> QuerySet[Hashtag]:
    """Hashtags whose name starts with ``q``'s first word (a ``#`` allowed), used by at least one
    public live post ``viewer`` may see, the most used first (``uses``: that count)."""
    tag = _TAG.search(q.strip().lstrip("#"))
    if tag is None:
        return Hashtag.objects.none()
    counted = Q(
        posthashtag__post__visibility=Post.Visibility.PUBLIC,
        posthashtag__post__deleted_at__isnull=True,
        posthashtag__post__held_at__isnull=True,
    ) & ~permissions.restricted_author_q("posthashtag__post__author_id")
    if hidden := relations.blocked_ids(viewer):
        counted &= ~Q(posthashtag__post__author_id__in=hidden)
    return (
        Hashtag.objects.filter(name__startswith=tag[0].lower())
        .annotate(uses=Count("posthashtag", filter=counted))
        .filter(uses__gt=0)
        .order_by("-uses", "name")
    )
