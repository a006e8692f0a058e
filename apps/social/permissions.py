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

Staff's moderation is in the rule too (apps/social/services/moderation.py): a **suspended**
author's posts are hidden from everyone but the author; a **silenced** author's public posts
reach only their accepted followers (the public timeline, hashtag pages, trends and suggestions
leave them out: ``restricted_author_q``); a post the word filter **held** is seen by its author
alone until staff release it.

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
    author = OuterRef(field("author_id"))
    silenced = Exists(Profile.objects.filter(user_id=author, silenced_at__isnull=False))
    # Suspended authors and held posts: nobody but the author (the first clause below).
    live = Q(**{field("held_at__isnull"): True}) & ~Exists(
        Profile.objects.filter(user_id=author, suspended_at__isnull=False)
    )
    pk = _pk(viewer)
    if pk is None:
        return public & ~silenced & live
    followed = Exists(Follow.objects.filter(follower_id=pk, followee_id=author, state=Follow.State.ACCEPTED))
    mentioned = Exists(Mention.objects.filter(user_id=pk, post_id=OuterRef(f"{prefix[:-2]}_id" if prefix else "pk")))
    blocked = Exists(Block.objects.filter(Q(blocker_id=pk, blocked_id=author) | Q(blocker_id=author, blocked_id=pk)))
    # A reply is addressed to the post it answers: its author reads it whatever its visibility
    # (as Mastodon's implicit mention does), or a followers-only answer would hide from the one
    # person it answers and their reply notification would lead to a 404.
    answers_viewer = Exists(Post.objects.filter(pk=OuterRef(field("reply_to_id")), author_id=pk))
    readers = (
        (public & (~silenced | followed))
        | (Q(**{field("visibility"): V.FOLLOWERS}) & followed)
        | (Q(**{field("visibility"): V.MENTIONED}) & mentioned)
        | Q(answers_viewer)
    )
    groups = audiences.memberships(viewer) if groups is None else groups
    if groups:
        readers |= Q(**{field("visibility"): V.AUDIENCE, field("audience__in"): groups})
    return Q(**{field("author_id"): pk}) | (readers & ~blocked & live)


def restricted_author_q(field: str = "author_id") -> Q:
    """Rows whose author (``field``: the user id's path) is silenced or suspended: what the
    public timeline, hashtag pages and suggestions leave out whoever reads them."""
    restricted = Profile.objects.filter(user_id=OuterRef(field)).filter(
        Q(silenced_at__isnull=False) | Q(suspended_at__isnull=False)
    )
    return Q(Exists(restricted))


def is_suspended(user: Any) -> bool:
    """Whether ``user``'s account is suspended on the social network: one indexed query, asked
    afresh by every write (not kept on the user object: a socket holds its user for hours)."""
    if _pk(user) is None:
        return False
    return Profile.objects.filter(user_id=user.pk, suspended_at__isnull=False).exists()


def forget_suspension(user: Any) -> None:
    """Kept for callers that changed a suspension; nothing is remembered between asks."""


def suspension_refusal(user: Any) -> None:
    """Raise PermissionDenied when ``user`` is suspended: every writing service asks first."""
    from django.core.exceptions import PermissionDenied

    if is_suspended(user):
        raise PermissionDenied("Your account is suspended: you cannot do this.")


# --- Moderation ---


def can_moderate_social(user: Any) -> bool:
    """Staff handle the social network's reports: admins (and super admins)."""
    from apps.core.accounts import RoleName, has_role

    return _pk(user) is not None and has_role(user, RoleName.ADMIN)


def can_report_post(user: Any, post: Post) -> bool:
    """A signed-in reader reports a live post they may read, not their own."""
    return _pk(user) is not None and post.author_id != user.pk and not post.is_deleted and can_see_post(user, post)


def can_report_profile(user: Any, profile: Profile) -> bool:
    """A signed-in member reports someone else's account."""
    return _pk(user) is not None and profile.user_id != user.pk


def can_report_message(user: Any, message: Any) -> bool:
    """Only someone in the conversation (still in it) reports one of its messages, not their own."""
    if _pk(user) is None or message.sender_id == user.pk or message.deleted_at is not None:
        return False
    return message.conversation.participants.filter(user_id=user.pk, left_at__isnull=True).exists()


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
