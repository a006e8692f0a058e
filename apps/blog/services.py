"""Every write of the blog: posts through the publishing engine, their review, covers,
categories and tags.

Services take the acting user and plain values (never a request), check the policy in
apps/blog/permissions.py, run in one transaction, raise ValidationError (or PermissionDenied)
and change nothing when they refuse. Events are delivered on commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.blog import covers, permissions
from apps.blog.models import MAX_TAGS, RESERVED_POST_SLUGS, Category, Post, Tag
from apps.blog.permissions import PostAction
from apps.blog.selectors import post_draft_content
from apps.core.models import User
from apps.core.platform import events
from apps.core.publishing import selectors as publishing_selectors
from apps.core.publishing import services as publishing

# --- Events ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PostSubmitted(events.DomainEvent):
    name: ClassVar[str] = "blog.post_submitted"
    aggregate: ClassVar[str] = "blog.post:{post_id}"
    post_id: int
    revision: int


@dataclass(frozen=True, kw_only=True)
class PostChangesRequested(events.DomainEvent):
    name: ClassVar[str] = "blog.post_changes_requested"
    aggregate: ClassVar[str] = "blog.post:{post_id}"
    post_id: int
    note: str


@dataclass(frozen=True, kw_only=True)
class CategoryCreated(events.DomainEvent):
    name: ClassVar[str] = "blog.category_created"
    aggregate: ClassVar[str] = "blog.category:{category_id}"
    category_id: int


@dataclass(frozen=True, kw_only=True)
class TagCreated(events.DomainEvent):
    name: ClassVar[str] = "blog.tag_created"
    aggregate: ClassVar[str] = "blog.tag:{tag_id}"
    tag_id: int


# --- Categories and tags --------------------------------------------------------------------


def _slug_for(name: str, *, max_length: int) -> str:
    slug = slugify(name)[:max_length].strip("-")
    if not slug:
        raise ValidationError(f"“{name}” needs at least one letter or digit.", code="invalid_name")
    return slug


def category_create(*, actor: User, name: str, slug: str = "", description: str = "") -> Category:
    """A new category (blog admins). The slug is made from the name when not given."""
    if not permissions.can_manage_categories(actor):
        raise PermissionDenied("You may not create categories.")
    name = name.strip()
    category = Category(name=name, slug=slug.strip() or _slug_for(name, max_length=80), description=description.strip())
    category.full_clean()
    with transaction.atomic():
        category.save()
        # Visitors see a category only once a live post is in it: that publish refreshes their pages.
        events.publish(CategoryCreated(category_id=category.pk, actor_id=actor.pk))
    return category


def tag_create(*, actor: User, name: str) -> Tag:
    """A tag named ``name``, or the existing one with the same slug."""
    return tags_get_or_create(actor=actor, names=[name])[0]


def tags_get_or_create(*, actor: User, names: Iterable[str]) -> list[Tag]:
    """The tags for ``names`` (as typed in the editor), created when new; in the order given,
    without repeats. Blog authors may add tags; at most MAX_TAGS per post."""
    wanted: dict[str, str] = {}
    for raw in names:
        name = " ".join(raw.split())[:50]
        if name:
            wanted.setdefault(_slug_for(name, max_length=50), name)
    if len(wanted) > MAX_TAGS:
        raise ValidationError(f"Use at most {MAX_TAGS} tags.", code="too_many_tags")
    if not wanted:
        return []
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    missing = [slug for slug in wanted if slug not in existing]
    if missing and not permissions.can_create_tags(actor):
        raise PermissionDenied("You may not create tags.")
    with transaction.atomic():
        for slug in missing:
            tag, created = Tag.objects.get_or_create(slug=slug, defaults={"name": wanted[slug]})
            existing[slug] = tag
            if created:
                events.publish(TagCreated(tag_id=tag.pk, actor_id=actor.pk))
    return [existing[slug] for slug in wanted]


# --- Posts: drafts -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PostInput:
    """What an editor writes: the post's content, with tags by name and the cover as a file."""

    title: str
    body: list[dict[str, Any]]
    slug: str = ""
    excerpt: str = ""
    seo_description: str = ""
    cover_alt: str = ""
    category_ids: tuple[int, ...] = ()
    tag_names: tuple[str, ...] = ()


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:90].strip("-") or "post"
    taken = set(Post.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken or slug in RESERVED_POST_SLUGS:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _content(
    data: PostInput, *, editor: User, cover: str, current_slug: str = "", pk: int | None = None
) -> dict[str, Any]:
    # A blank address is made from the title once; later edits keep it, so links do not break.
    tags = tags_get_or_create(actor=editor, names=data.tag_names)
    return {
        "title": data.title.strip(),
        "slug": data.slug.strip() or current_slug or _unique_slug(data.title, exclude_pk=pk),
        "excerpt": data.excerpt.strip(),
        "body": data.body,
        "cover": cover,
        "cover_alt": data.cover_alt.strip(),
        "seo_description": data.seo_description.strip(),
        "categories": sorted(set(data.category_ids)),
        "tags": [tag.slug for tag in tags],
    }


def _with_cover(upload: UploadedFile | None, keep: str, write: Any) -> Any:
    """Store a new cover (if any) and run ``write(cover_name)``; a refused write leaves no file
    behind. Old covers stay: older revisions still show them."""
    new_cover = covers.cover_store(upload) if upload is not None else ""
    try:
        return write(new_cover or keep)
    except Exception:
        if new_cover:
            covers.cover_delete(new_cover)
        raise


def post_create(*, author: User, data: PostInput, cover: UploadedFile | None = None) -> Post:
    """A new post by ``author``: revision 1 of its draft. Nothing is public until published."""
    if not permissions.can_create_post(author):
        raise PermissionDenied("You may not write posts.")

    def write(cover_name: str) -> Post:
        with transaction.atomic():
            content = _content(data, editor=author, cover=cover_name)
            return publishing.draft_create(model=Post, content=content, author=author, attrs={"author": author})

    return _with_cover(cover, "", write)


def post_update(
    *,
    post: Post,
    editor: User,
    data: PostInput,
    based_on: int,
    cover: UploadedFile | None = None,
    remove_cover: bool = False,
) -> int:
    """Save a new revision of ``post``'s draft; returns its number.

    ``based_on`` is the revision the editor opened: if someone saved since, DraftConflict is
    raised and nothing is written. The published post does not change. An author's edit of a
    post waiting for review withdraws it from the queue: reviewers should see what they publish.
    """
    _refuse(editor, post, PostAction.EDIT)
    current = post_draft_content(post)
    kept = "" if remove_cover else current.get("cover", "")

    def write(cover_name: str) -> int:
        with transaction.atomic():
            content = _content(data, editor=editor, cover=cover_name, current_slug=current.get("slug", ""), pk=post.pk)
            number = publishing.draft_save(obj=post, content=content, author=editor, based_on=based_on)
            withdrawn = post.review_state == Post.ReviewState.SUBMITTED and not permissions.can_review(editor)
            if withdrawn:
                Post.objects.filter(pk=post.pk).update(review_state=Post.ReviewState.DRAFT, submitted_at=None)
                post.review_state, post.submitted_at = Post.ReviewState.DRAFT, None
            return number

    return _with_cover(cover, kept, write)


# --- Posts: review ---------------------------------------------------------------------------------


def _refuse(user: User, post: Post, action: PostAction) -> None:
    """The policy's reason, as the refusal every surface answers (403)."""
    if reason := permissions.post_action_refusal(user, post, action):
        raise PermissionDenied(reason)


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().get(pk=post.pk)


def _ready_to_publish(post: Post, revision: int | None = None) -> None:
    if revision is None:
        content = post_draft_content(post)
    else:
        found = publishing_selectors.revision_content(post, revision)
        if found is None:
            raise ValidationError(f"Revision {revision} does not exist.", code="no_revision")
        content = found
    problems = []
    if not content.get("title"):
        problems.append("A post needs a title.")
    if not content.get("body"):
        problems.append("A post needs a body: write something first.")
    if problems:
        raise ValidationError(problems, code="incomplete")


def post_submit(*, post: Post, author: User) -> Post:
    """Ask the blog admins to review and publish the newest draft."""
    _refuse(author, post, PostAction.SUBMIT)
    if not permissions.can_submit_post(author, post):
        raise ValidationError("This post is already waiting for review, or has nothing new to publish.")
    _ready_to_publish(post)
    with transaction.atomic():
        row = _locked(post)
        row.review_state, row.submitted_at, row.review_note = Post.ReviewState.SUBMITTED, timezone.now(), ""
        row.save(update_fields=["review_state", "submitted_at", "review_note"])
        events.publish(PostSubmitted(post_id=row.pk, revision=row.latest_revision, actor_id=author.pk))
    post.review_state, post.submitted_at, post.review_note = row.review_state, row.submitted_at, ""
    return post


def post_request_changes(*, post: Post, reviewer: User, note: str) -> Post:
    """Send a submitted post back to its author with a note saying what to change."""
    _refuse(reviewer, post, PostAction.REVIEW)
    note = note.strip()
    if not note:
        raise ValidationError("Say what should change: the author sees this note.", code="required")
    if len(note) > 2000:
        raise ValidationError("The note may be at most 2000 characters.", code="max_length")
    with transaction.atomic():
        row = _locked(post)
        if row.review_state != Post.ReviewState.SUBMITTED:
            raise ValidationError("This post is not waiting for review.", code="not_submitted")
        row.review_state, row.review_note = Post.ReviewState.CHANGES_REQUESTED, note
        row.save(update_fields=["review_state", "review_note"])
        events.publish(PostChangesRequested(post_id=row.pk, note=note, actor_id=reviewer.pk))
    post.review_state, post.review_note = row.review_state, note
    return post


# --- Posts: publication (through the engine) --------------------------------------------------


def post_publish(*, post: Post, publisher: User, revision: int | None = None) -> Post:
    """Publish ``revision`` (the newest by default) at once. Publishing ends any review and sets
    the post's categories, tags and reading time from that revision (Post.after_publish)."""
    _refuse(publisher, post, PostAction.PUBLISH)
    _ready_to_publish(post, revision)
    publishing.publish(obj=post, author=publisher, revision=revision)
    return post


def post_schedule(*, post: Post, publisher: User, go_live_at: datetime, revision: int | None = None) -> Post:
    """Publish ``revision`` (the newest by default) at ``go_live_at``; the review is over."""
    _refuse(publisher, post, PostAction.SCHEDULE)
    _ready_to_publish(post, revision)
    with transaction.atomic():
        publishing.schedule(obj=post, author=publisher, revision=revision, go_live_at=go_live_at)
        Post.objects.filter(pk=post.pk).update(review_state=Post.ReviewState.DRAFT, review_note="", submitted_at=None)
    post.review_state, post.review_note, post.submitted_at = Post.ReviewState.DRAFT, "", None
    return post


def post_unschedule(*, post: Post, publisher: User) -> Post:
    """Cancel a scheduled publication."""
    _refuse(publisher, post, PostAction.SCHEDULE)
    publishing.schedule(obj=post, author=publisher, revision=None, go_live_at=None)
    return post


def post_unpublish(*, post: Post, publisher: User) -> Post:
    """Take a post off the blog; its drafts and history stay."""
    _refuse(publisher, post, PostAction.UNPUBLISH)
    publishing.unpublish(obj=post, author=publisher)
    return post
