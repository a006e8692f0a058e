"""Who may do what on the social network: rules in one place, used by pages, the API, sockets
and services alike.

Posts: **one rule decides who reads a post**, ``post_visible_q(viewer)``, a ``Q`` every read path
filters by (a page's list, a thread, a profile, bookmarks, a timeline, the API) and that
``can_see_post`` asks for a single post, so no surface re-implements it:

- its author always;
- nobody on either side of a block (a block hides both ways, whatever the visibility);
- ``public``: everyone, signed in or not;
- ``followers``: the author's accepted followers (a pending request does not count);
- ``mentioned``: the people it mentions;
- ``audience``: the members of the group another app offers (apps/social/audiences.py).

Mutes are not in the rule: a muted person's posts leave the muter's lists (``posts_visible_to``
with ``hide_muted``) but open on their own address. A deleted post stays readable as a tombstone
(its text is gone) so a thread keeps its shape; lists leave it out.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from apps.social import audiences, relations
from apps.social.models import Block, Follow, Mention, Post, Profile

V = Post.Visibility


def _pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) and getattr(user, "is_active", True) else None


def post_visible_q(viewer: Any, prefix: str = "", *, groups: list[str] | None = None) -> Q:
    """The posts ``viewer`` may read, as a ``Q`` over ``Post`` (or over a relation to it: ``prefix``
    ``"repost_of__"`` asks the same of a repost's original). Costs one query per audience provider
    for a signed-in viewer (their groups, unless ``groups`` gives them); everything else is
    subqueries in the one SQL statement."""
    field = (lambda name: f"{prefix}{name}") if prefix else (lambda name: name)
    public = Q(**{field("visibility"): V.PUBLIC})
    pk = _pk(viewer)
    if pk is None:
        return public
    author = OuterRef(field("author_id"))
    followed = Exists(Follow.objects.filter(follower_id=pk, followee_id=author, state=Follow.State.ACCEPTED))
    mentioned = Exists(Mention.objects.filter(user_id=pk, post_id=OuterRef(f"{prefix[:-2]}_id" if prefix else "pk")))
    blocked = Exists(Block.objects.filter(Q(blocker_id=pk, blocked_id=author) | Q(blocker_id=author, blocked_id=pk)))
    readers = (
        public
        | (Q(**{field("visibility"): V.FOLLOWERS}) & followed)
        | (Q(**{field("visibility"): V.MENTIONED}) & mentioned)
    )
    groups = audiences.memberships(viewer) if groups is None else groups
    if groups:
        readers |= Q(**{field("visibility"): V.AUDIENCE, field("audience__in"): groups})
    return Q(**{field("author_id"): pk}) | (readers & ~blocked)


def post_and_original_visible_q(viewer: Any) -> Q:
    """A post ``viewer`` may read whose original, when it is a repost, they may read too."""
    groups = audiences.memberships(viewer)
    original = post_visible_q(viewer, "repost_of__", groups=groups)
    return post_visible_q(viewer, groups=groups) & (Q(repost_of__isnull=True) | original)


def can_see_post(user: Any, post: Post) -> bool:
    """Whether ``user`` may read ``post`` (the one rule above, asked of one row)."""
    if _pk(user) is not None and post.author_id == user.pk:
        return True
    return Post.objects.filter(pk=post.pk).filter(post_and_original_visible_q(user)).exists()


def post_refusal(user: Any, post: Post) -> str | None:
    """Why ``user`` may not read ``post`` (None: they may). Pages answer 404 with it whatever the
    reason, so a refusal never tells a stranger a followers-only post exists."""
    if can_see_post(user, post):
        return None
    if _pk(user) is None:
        return "This post is not public: sign in to see whether you may read it."
    return "This post does not exist or is not shared with you."


def _interactable(user: Any, post: Post) -> bool:
    return _pk(user) is not None and not post.is_deleted and can_see_post(user, post)


def can_reply(user: Any, post: Post) -> bool:
    """A signed-in reader of a live post (a block hides it, so it refuses too); not a repost: a
    reply answers the original."""
    return post.repost_of_id is None and _interactable(user, post)


def can_like(user: Any, post: Post) -> bool:
    return post.repost_of_id is None and _interactable(user, post)


def can_bookmark(user: Any, post: Post) -> bool:
    return post.repost_of_id is None and _interactable(user, post)


def can_repost(user: Any, post: Post) -> bool:
    """Only public posts spread: a repost would show a followers-only post to other followers."""
    return post.repost_of_id is None and post.visibility == V.PUBLIC and _interactable(user, post)


def can_edit_post(user: Any, post: Post) -> bool:
    """The author, while the post is live (a repost has no text of its own to edit)."""
    return _pk(user) is not None and post.author_id == user.pk and not post.is_deleted and post.repost_of_id is None


def can_delete_post(user: Any, post: Post) -> bool:
    """The author, or staff (the moderation of a post reported to them)."""
    if _pk(user) is None or post.is_deleted:
        return False
    return post.author_id == user.pk or bool(getattr(user, "is_staff", False))


def can_post_to(user: Any, visibility: str, audience: str = "") -> bool:
    """Whether ``user`` may address a post this way: an audience only one they may post to."""
    if _pk(user) is None:
        return False
    if visibility == V.AUDIENCE:
        return audiences.audience_may_post(user, audience)
    return visibility in V.values


# --- Relations (the people part) ---


def can_see_connections(viewer: Any, profile: Profile) -> bool:
    """Whether ``viewer`` may see whom ``profile`` follows and who follows them: anyone for an
    open account; for a locked one, its owner and accepted followers. Nobody either side of a block."""
    if getattr(viewer, "pk", None) == profile.user_id:
        return True
    if relations.blocked_between(viewer, profile.user):
        return False
    return not profile.locked or relations.follows(viewer, profile.user)
