"""The blog's notifications: its kinds (declared in its hook) and the subscribers that send them.

Each subscriber reads what it needs by id and writes through core's ``notify`` inside one
transaction, so it can run in the committing process or on a worker (durable events), and its
effects commit together.

- ``blog.comment_reply``: someone replied to your comment (once the reply is published: at once,
  or when a moderator approves it), never for a reply to yourself.
- ``blog.comment_held``: a comment on a post waits for moderation (the blog's moderators).
- ``blog.post_submitted``: an author submitted a post for review (blog admins).
- ``blog.post_changes_requested`` / ``blog.post_published``: news about your post (its author).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from apps.blog import permissions
from apps.blog.comments import POST_KIND
from apps.blog.models import Post
from apps.blog.roles import BLOG_ADMIN, ROLES
from apps.blog.services import PostChangesRequested, PostSubmitted
from apps.core.accounts import RoleName, effective_roles
from apps.core.comments import Comment
from apps.core.comments import services as comment_services
from apps.core.models import User
from apps.core.notifications import Email, NotificationKind, notify
from apps.core.platform import events
from apps.core.publishing import ContentPublished

COMMENT_REPLY = "blog.comment_reply"
COMMENT_HELD = "blog.comment_held"
POST_SUBMITTED = "blog.post_submitted"
POST_CHANGES_REQUESTED = "blog.post_changes_requested"
POST_PUBLISHED = "blog.post_published"

KINDS = (
    NotificationKind(
        name=COMMENT_REPLY,
        label="Replies to your comments",
        description="Someone replied to a comment you wrote on a post.",
        template="{actors} replied to your comment on “{target}”",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=COMMENT_HELD,
        label="Comments waiting for moderation",
        description="For the blog's moderators: a reader's first comment waits for approval.",
        template="{actors} wrote a comment on “{target}” that waits for moderation",
        template_many="{actors} wrote {count} comments on “{target}” that wait for moderation",
        email=Email.DAILY,
        audience=permissions.can_moderate_comments,
    ),
    NotificationKind(
        name=POST_SUBMITTED,
        label="Posts submitted for review",
        description="For blog admins: an author submitted a post for review.",
        template="{actors} submitted “{target}” for review",
        email=Email.INSTANT,
        audience=permissions.can_review,
    ),
    NotificationKind(
        name=POST_CHANGES_REQUESTED,
        label="Changes requested on your posts",
        description="A reviewer sent your post back with a note.",
        template="{actors} asked for changes to “{target}”",
        email=Email.INSTANT,
        audience=permissions.can_create_post,
    ),
    NotificationKind(
        name=POST_PUBLISHED,
        label="Your posts published",
        description="Your post went live (by a blog admin, or on its schedule).",
        template="“{target}” is published",
        email=Email.OFF,
        audience=permissions.can_create_post,
    ),
)


def blog_admin_ids(*, exclude: int | None = None) -> list[int]:
    """The active accounts that act as blog admins (the role, or one above it)."""
    holders = [name for name in (*RoleName, *(spec.name for spec in ROLES)) if BLOG_ADMIN in effective_roles([name])]
    query = User.objects.filter(is_active=True, role_grants__role__name__in=holders)
    if exclude is not None:
        query = query.exclude(pk=exclude)
    return sorted(set(query.values_list("pk", flat=True)))


def _notify_blog_admins(kind: str, post: Post, *, target_url: str, actor_id: int | None) -> None:
    """One ``kind`` notification about ``post`` to every blog admin but the actor, together."""
    with transaction.atomic():
        for admin_id in blog_admin_ids(exclude=actor_id):
            notify(
                recipient_id=admin_id,
                kind=kind,
                group=f"post:{post.pk}",
                target_url=target_url,
                target_label=post.title,
                actor_id=actor_id,
            )


def _reply_published(comment_id: int) -> None:
    comment = Comment.objects.select_related("parent").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.APPROVED or comment.parent is None:
        return
    parent = comment.parent
    if parent.author_id == comment.author_id or parent.deleted_at is not None:
        return
    post = Post.objects.filter(pk=comment.target_id).only("pk", "slug", "title").first()
    if post is None:
        return
    notify(
        recipient_id=parent.author_id,
        kind=COMMENT_REPLY,
        group=f"comment:{parent.pk}",
        target_url=f"{post.get_absolute_url()}#comment-{comment.pk}",
        target_label=post.title,
        actor_id=comment.author_id,
    )


def _comment_held(event: comment_services.CommentCreated) -> None:
    post = Post.objects.filter(pk=event.target_id).only("pk", "title").first()
    if post is None:
        return
    _notify_blog_admins(
        COMMENT_HELD, post, target_url=reverse("comments:moderation") + "?domain=blog", actor_id=event.actor_id
    )


@events.subscribe(comment_services.CommentCreated)
def on_comment_created(event: comment_services.CommentCreated) -> None:
    """A published reply tells the parent's author; a held comment tells the moderators."""
    if event.target_kind != POST_KIND:
        return
    if event.status == Comment.Status.APPROVED and event.parent_id is not None:
        _reply_published(event.comment_id)
    elif event.status == Comment.Status.PENDING:
        _comment_held(event)


@events.subscribe(comment_services.CommentApproved)
def on_comment_approved(event: comment_services.CommentApproved) -> None:
    """A reply that waited for a moderator is published now: its parent's author hears of it."""
    if event.target_kind == POST_KIND and event.previous_status == Comment.Status.PENDING:
        _reply_published(event.comment_id)


@events.subscribe(PostSubmitted)
def on_post_submitted(event: PostSubmitted) -> None:
    """The blog admins hear of a post waiting for review."""
    post = Post.objects.filter(pk=event.post_id).only("pk", "title").first()
    if post is None:
        return
    _notify_blog_admins(POST_SUBMITTED, post, target_url=reverse("blog:review"), actor_id=event.actor_id)


@events.subscribe(PostChangesRequested)
def on_post_changes_requested(event: PostChangesRequested) -> None:
    """The author hears that their post came back with a note."""
    post = Post.objects.filter(pk=event.post_id).only("pk", "title", "author_id").first()
    if post is not None:
        notify(
            recipient_id=post.author_id,
            kind=POST_CHANGES_REQUESTED,
            group=f"post:{post.pk}",
            target_url=reverse("blog:edit", args=[post.pk]),
            target_label=post.title,
            actor_id=event.actor_id,
        )


@events.subscribe(ContentPublished)
def on_post_published(event: ContentPublished) -> None:
    """The author hears that their post went live (unless they published it themselves)."""
    if event.model != Post.content_label():
        return
    post = Post.objects.filter(pk=int(event.object_id)).only("pk", "slug", "title", "author_id").first()
    if post is not None:
        notify(
            recipient_id=post.author_id,
            kind=POST_PUBLISHED,
            group=f"post:{post.pk}",
            target_url=post.get_absolute_url(),
            target_label=post.title,
            actor_id=event.actor_id,
        )
