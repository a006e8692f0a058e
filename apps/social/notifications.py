"""The social network's notifications: its kinds (declared in its hook) and the durable
subscribers that send them on the worker, once per event (apps/social/events.py).

Posts:
- ``social.mention``: someone mentioned you in a post (or in an edit of one);
- ``social.reply``: someone replied to your post;
- ``social.like``: people liked your post, grouped per post ("Ana and 3 others liked ...");
- ``social.repost``: people reposted your post, grouped per post.

Nobody is told by someone they muted, or across a block, nor of their own act, nor of a mention
in a post they may not read (a followers-only post naming someone who does not follow).

People and messages, sent by their services:
- ``social.follow``: someone follows you (services/relations.py ``follow_create`` of an open
  account, grouped: "Ana and 3 others followed you");
- ``social.follow_request``: someone asks to follow your locked account (the same service).
- ``social.message``: someone sent a direct message in a conversation the recipient accepted
  (sent by services/messages.py; one notification per conversation while unread, counting the
  messages; requests and muted senders notify nobody).
- ``social.moderation``: staff removed a post of yours, or silenced, suspended or restored your
  account (services/moderation.py; who did it is not said).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from apps.core.notifications import Email, NotificationKind, notify
from apps.core.platform import events
from apps.social.events import PostCreated, PostEdited, PostLiked
from apps.social.models import Block, Mute, Post
from apps.social.permissions import can_see_post

MENTION = "social.mention"
REPLY = "social.reply"
LIKE = "social.like"
REPOST = "social.repost"
FOLLOW = "social.follow"
FOLLOW_REQUEST = "social.follow_request"
MESSAGE = "social.message"
MODERATION = "social.moderation"

KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        name=MENTION,
        label="Mentions",
        description="Someone mentioned you in a post.",
        template="{actors} mentioned you in “{target}”",
        template_many="{actors} mentioned you in “{target}”",
        email=Email.DAILY,
    ),
    NotificationKind(
        name=REPLY,
        label="Replies to your posts",
        description="Someone replied to a post of yours.",
        template="{actors} replied to your post “{target}”",
        template_many="{actors} replied to your post “{target}”",
        email=Email.DAILY,
    ),
    NotificationKind(
        name=LIKE,
        label="Likes of your posts",
        description="Someone liked a post of yours.",
        template="{actors} liked your post “{target}”",
        template_many="{actors} liked your post “{target}”",
    ),
    NotificationKind(
        name=REPOST,
        label="Reposts of your posts",
        description="Someone reposted a post of yours to their followers.",
        template="{actors} reposted your post “{target}”",
        template_many="{actors} reposted your post “{target}”",
    ),
    NotificationKind(
        name=FOLLOW,
        label="New followers",
        description="Someone started following you.",
        template="{actors} followed you",
        template_many="{actors} followed you",
        email=Email.DAILY,
    ),
    NotificationKind(
        name=FOLLOW_REQUEST,
        label="Follow requests",
        description="Someone asks to follow your locked account: approve or reject them.",
        template="{actors} asked to follow you",
        template_many="{actors} asked to follow you",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=MESSAGE,
        label="Direct messages",
        description="Someone sent you a message in a conversation you are in.",
        template="{actors} sent you a message",
        template_many="{actors} sent you {count} messages",
    ),
    NotificationKind(
        name=MODERATION,
        label="Moderation of your account",
        description="Staff removed a post of yours, or limited, suspended or restored your account.",
        template="{target}",
        email=Email.DAILY,
    ),
)


def _label(post: Post) -> str:
    words = post.text or "an image"
    return words if len(words) <= 60 else f"{words[:57]}…"


def _tell(recipient_id: int, actor_id: int, kind: str, post: Post, group_post: Post) -> None:
    """Notify unless it is the actor's own act, a block stands between them or the recipient
    muted the actor. ``group_post``: the post a group of these gathers on."""
    if recipient_id == actor_id:
        return
    if Mute.objects.filter(muter_id=recipient_id, muted_id=actor_id).exists():
        return
    if Block.objects.filter(
        Q(blocker_id=recipient_id, blocked_id=actor_id) | Q(blocker_id=actor_id, blocked_id=recipient_id)
    ).exists():
        return
    notify(
        recipient_id=recipient_id,
        kind=kind,
        group=f"{kind}:{group_post.pk}",
        target_url=reverse("social:post", args=[post.pk]),
        target_label=_label(group_post),
        actor_id=actor_id,
    )


def _live(post_id: int) -> Post | None:
    return Post.objects.select_related("author").filter(pk=post_id, deleted_at__isnull=True).first()


def _readers_of(post: Post, user_ids: list[int]) -> list[int]:
    """Of ``user_ids`` (in their order), those who may read ``post``: a followers-only or
    group post may name someone outside its reach, and telling them would show them its words
    (the notification's label) while its page answers 404."""
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=user_ids)}
    return [pk for pk in user_ids if pk in users and can_see_post(users[pk], post)]


@events.subscribe(PostCreated, key="social.tell_post_created")
def on_post_created(event: PostCreated) -> None:
    """Mentioned people, the author replied to and the author reposted hear of it."""
    post = _live(event.post_id)
    if post is None:
        return
    for user_id in _readers_of(post, event.mention_ids):
        _tell(user_id, event.author_id, MENTION, post, post)
    parent = _live(event.reply_to_id) if event.reply_to_id is not None else None
    # Someone mentioned in the reply was told of the mention already.
    if parent is not None and parent.author_id not in event.mention_ids:
        _tell(parent.author_id, event.author_id, REPLY, post, parent)
    if event.repost_of_id is not None and (original := _live(event.repost_of_id)) is not None:
        _tell(original.author_id, event.author_id, REPOST, original, original)


@events.subscribe(PostEdited, key="social.tell_post_edited")
def on_post_edited(event: PostEdited) -> None:
    post = _live(event.post_id)
    if post is not None:
        for user_id in _readers_of(post, event.new_mention_ids):
            _tell(user_id, event.author_id, MENTION, post, post)


@events.subscribe(PostLiked, key="social.tell_post_liked")
def on_post_liked(event: PostLiked) -> None:
    post = _live(event.post_id)
    if post is not None:
        _tell(post.author_id, event.user_id, LIKE, post, post)
