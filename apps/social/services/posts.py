"""Writing posts and what people do with them: create (with mentions, hashtags, images and a
long body), edit (keeping the earlier text), delete (softly: a thread keeps its shape), like,
repost and bookmark.

Each toggle takes the state wanted (``on``) rather than flipping, so a request sent twice (a
double click, a retry) ends where one would: the unique constraints decide the race and a
counter moves only with the row that was really written or removed (``F()`` updates, never a
read-modify-write). Events are published in the writing transaction (core's outbox), and the
notifications are sent by their durable subscribers (apps/social/notifications.py), so nobody
is told of a post that was rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image

from apps.core.blocks import clean_blocks
from apps.core.platform import encode_clean, events, open_upright, validate_image
from apps.social import permissions, timelines, wordfilter
from apps.social import text as post_text
from apps.social.events import PostCreated, PostDeleted, PostEdited, PostLiked
from apps.social.models import Bookmark, Hashtag, Like, Mention, Post, PostEdit, PostHashtag, PostImage, Profile
from apps.social.models.posts import IMAGES_MAX, POST_MAX_CHARS
from apps.social.relations import blocked_ids

V = Post.Visibility
IMAGE_MAX_SIDE = 2048
RENDITION_WIDTHS = (480, 960)  # a timeline's card and a post's page; the original is the largest
ALT_MAX = 1500


@dataclass(frozen=True)
class ImageInput:
    upload: UploadedFile
    alt: str = ""


@dataclass(frozen=True)
class _Prepared:
    content: bytes
    suffix: str
    alt: str
    renditions: dict[int, bytes]
    size: tuple[int, int]


def _prepare_images(images: Sequence[ImageInput]) -> list[_Prepared]:
    """Every image checked by content and encoded again from its pixels only (no EXIF, GPS, ICC,
    comments or appended bytes), upright, at most IMAGE_MAX_SIDE a side, with smaller renditions;
    all before anything is written, so one bad image refuses the post whole."""
    if len(images) > IMAGES_MAX:
        raise ValidationError({"images": f"A post may carry at most {IMAGES_MAX} images."}, code="too_many_images")
    prepared = []
    for position, item in enumerate(images, start=1):
        alt = item.alt.strip()
        if len(alt) > ALT_MAX:
            raise ValidationError({"images": f"Image {position}: alt text is at most {ALT_MAX} characters."})
        try:
            suffix = validate_image(item.upload)
            picture, transparent = open_upright(item.upload)
        except ValidationError as exc:
            raise ValidationError({"images": f"Image {position}: {' '.join(exc.messages)}"}) from None
        picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
        content, stored_suffix = encode_clean(picture, suffix=suffix, transparent=transparent)
        renditions = {}
        for width in RENDITION_WIDTHS:
            if picture.width > width:
                smaller = picture.copy()
                smaller.thumbnail((width, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
                renditions[width] = encode_clean(smaller, suffix=suffix, transparent=transparent)[0]
        prepared.append(_Prepared(content, stored_suffix, alt, renditions, picture.size))
    return prepared


def _store_images(post: Post, prepared: list[_Prepared]) -> None:
    for position, item in enumerate(prepared):
        stem = uuid.uuid4().hex
        renditions = {
            str(width): default_storage.save(f"social/posts/renditions/{stem}-{width}{item.suffix}", ContentFile(data))
            for width, data in item.renditions.items()
        }
        image = PostImage(post=post, position=position, alt=item.alt, renditions=renditions)
        image.image.save(f"{stem}{item.suffix}", ContentFile(item.content), save=False)
        image.width, image.height = item.size
        image.save()


def _known_handles(handles: Sequence[str]) -> dict[str, Profile]:
    if not handles:
        return {}
    lowered = [handle.lower() for handle in handles]
    profiles = Profile.objects.annotate(lower=Lower("handle")).filter(lower__in=lowered).only("pk", "handle", "user_id")
    return {profile.handle.lower(): profile for profile in profiles}


def _render(author: Any, raw: str) -> tuple[str, list[int], list[str]]:
    """The safe HTML of ``raw``, the ids of people it mentions (known, not the author, no block
    between them) and its hashtags."""
    parsed = post_text.parse(raw)
    known = _known_handles(parsed.mentions)
    hidden = blocked_ids(author)
    # Someone on the other side of a block is neither linked nor told: the text stays as typed.
    linkable = {lower: p for lower, p in known.items() if p.user_id not in hidden}
    html = post_text.render(raw, handles={lower: p.handle for lower, p in linkable.items()})
    mention_ids = [p.user_id for p in linkable.values() if p.user_id != author.pk]
    return html, list(dict.fromkeys(mention_ids)), list(parsed.hashtags)


def _set_hashtags(post: Post, tags: list[str]) -> None:
    PostHashtag.objects.filter(post=post).delete()
    if not tags:
        return
    # The first spelling seen becomes the display; a race inserting one tag twice keeps one row.
    Hashtag.objects.bulk_create(
        [Hashtag(name=tag.lower()[:100], display=tag[:100]) for tag in tags], ignore_conflicts=True
    )
    ids = Hashtag.objects.filter(name__in=[tag.lower()[:100] for tag in tags]).values_list("pk", flat=True)
    PostHashtag.objects.bulk_create([PostHashtag(post=post, hashtag_id=pk, created_at=post.created_at) for pk in ids])


def _check_text(raw: str, *, required: bool) -> str:
    raw = raw.replace("\r\n", "\n").strip()
    if len(raw) > POST_MAX_CHARS:
        raise ValidationError({"text": f"A post is at most {POST_MAX_CHARS} characters ({len(raw)} now)."})
    if required and not raw:
        raise ValidationError({"text": "Write something, or add an image."}, code="empty")
    if "\x00" in raw:
        raise ValidationError({"text": "The text holds a character that cannot be stored."})
    return raw


def _addressing(author: Any, visibility: str, audience: str, reply_to: Post | None) -> tuple[str, str]:
    # A reply to a post that is not public stays among its readers: it takes the parent's reach.
    if reply_to is not None and reply_to.visibility != V.PUBLIC:
        return reply_to.visibility, reply_to.audience
    audience = audience if visibility == V.AUDIENCE else ""
    if not permissions.can_post_to(author, visibility, audience):
        raise ValidationError({"visibility": "Choose who may read this post among the choices offered."})
    return visibility, audience


@transaction.atomic
def post_create(
    *,
    author: Any,
    text: str = "",
    visibility: str = V.PUBLIC,
    audience: str = "",
    content_warning: str = "",
    body: Any = None,
    images: Sequence[ImageInput] = (),
    reply_to: Post | None = None,
) -> Post:
    """A new post (a reply when ``reply_to``) by ``author``: text of at most POST_MAX_CHARS with
    its mentions (Mention rows, told by the subscriber) and hashtags, up to IMAGES_MAX images with
    alt text, a content warning, and a long ``body`` of the platform's blocks. A reply must be to a
    post the author may reply to, and reaches no further than its parent. Publishes
    ``social.post_created``. Raises ValidationError (nothing written) or PermissionDenied.
    The word filter (apps/social/wordfilter.py) refuses the text, or holds the post for review."""
    permissions.suspension_refusal(author)
    if reply_to is not None and not permissions.can_reply(author, reply_to):
        raise PermissionDenied("You may not reply to this post.")
    blocks = clean_blocks(body, known_slots=set()) if body else []
    prepared = _prepare_images(images)
    raw = _check_text(text, required=not prepared and not blocks)
    warning = content_warning.strip()
    if len(warning) > 200:
        raise ValidationError({"content_warning": "A content warning is at most 200 characters."})
    visibility, audience = _addressing(author, visibility, audience, reply_to)
    verdict = wordfilter.check(raw, field="text")
    html, mention_ids, tags = _render(author, raw)
    if reply_to is not None and visibility == V.MENTIONED and reply_to.author_id != author.pk:
        mention_ids = list(dict.fromkeys([reply_to.author_id, *mention_ids]))
    post = Post.objects.create(
        author=author,
        text=raw,
        html=html,
        body=blocks,
        content_warning=warning,
        visibility=visibility,
        audience=audience,
        reply_to=reply_to,
        root_id=(reply_to.root_id or reply_to.pk) if reply_to is not None else None,
        held_at=timezone.now() if verdict.hold else None,
    )
    if verdict.hold:
        wordfilter.hold_for_review(post, verdict)
    Mention.objects.bulk_create([Mention(post=post, user_id=pk) for pk in mention_ids])
    _set_hashtags(post, tags)
    _store_images(post, prepared)
    if reply_to is not None:
        Post.objects.filter(pk=reply_to.pk).update(reply_count=F("reply_count") + 1)
    _publish_created(post, mention_ids)
    return post


def _publish_created(post: Post, mention_ids: list[int]) -> None:
    events.publish(
        PostCreated(
            post_id=post.pk,
            author_id=post.author_id,
            actor_id=post.author_id,
            visibility=post.visibility,
            audience=post.audience,
            created_at=post.created_at,
            reply_to_id=post.reply_to_id,
            root_id=post.root_id,
            repost_of_id=post.repost_of_id,
            mention_ids=tuple(mention_ids),
        )
    )
    timelines.post_published(post.pk)  # fanned out to the author's followers after commit


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().get(pk=post.pk)


@transaction.atomic
def post_edit(*, actor: Any, post: Post, text: str, content_warning: str = "") -> Post:
    """The author changes a post's text and content warning; the earlier version is kept as a
    PostEdit (the "edited" history). Mentions and hashtags follow the new text; people newly
    mentioned are told (``social.post_edited``). An unchanged text writes nothing."""
    permissions.suspension_refusal(actor)
    post = _locked(post)
    if not permissions.can_edit_post(actor, post):
        raise PermissionDenied("You may not edit this post.")
    raw = _check_text(text, required=not post.body and not post.images.exists())
    verdict = wordfilter.check(raw, field="text")
    warning = content_warning.strip()
    if len(warning) > 200:
        raise ValidationError({"content_warning": "A content warning is at most 200 characters."})
    if raw == post.text and warning == post.content_warning:
        return post
    PostEdit.objects.create(post=post, text=post.text, html=post.html, content_warning=post.content_warning)
    html, mention_ids, tags = _render(actor, raw)
    before = set(post.mentions.values_list("user_id", flat=True))
    if post.visibility == V.MENTIONED:
        # Whoever could read it keeps reading it: an edit does not take a reader's access away.
        mention_ids = list(dict.fromkeys([*mention_ids, *before]))
    post.text, post.html, post.content_warning, post.edited_at = raw, html, warning, timezone.now()
    fields = ["text", "html", "content_warning", "edited_at"]
    if verdict.hold and post.held_at is None:
        post.held_at = post.edited_at
        fields.append("held_at")
        wordfilter.hold_for_review(post, verdict)
    post.save(update_fields=fields)
    Mention.objects.filter(post=post).exclude(user_id__in=mention_ids).delete()
    Mention.objects.bulk_create([Mention(post=post, user_id=pk) for pk in mention_ids], ignore_conflicts=True)
    _set_hashtags(post, tags)
    new = tuple(pk for pk in mention_ids if pk not in before)
    events.publish(PostEdited(post_id=post.pk, author_id=post.author_id, actor_id=actor.pk, new_mention_ids=new))
    return post


@transaction.atomic
def post_delete(*, actor: Any, post: Post) -> Post:
    """Delete a post (its author, or staff). Its row stays as a tombstone, so its replies keep
    their place in the thread; its text, body, images, mentions and hashtags go. A repost is
    removed outright (it has no replies: they answer the original). Publishes
    ``social.post_deleted``."""
    post = _locked(post)
    if not permissions.can_delete_post(actor, post):
        raise PermissionDenied("You may not delete this post.")
    event = PostDeleted(post_id=post.pk, author_id=post.author_id, actor_id=actor.pk, repost_of_id=post.repost_of_id)
    if post.repost_of_id is not None:
        _repost_remove(post)
    else:
        files = [name for image in post.images.all() for name in (image.image.name, *image.renditions.values())]
        post.images.all().delete()
        post.mentions.all().delete()
        PostHashtag.objects.filter(post=post).delete()
        post.text = post.html = post.content_warning = ""
        post.body, post.deleted_at = [], timezone.now()
        post.save(update_fields=["text", "html", "content_warning", "body", "deleted_at"])
        if post.reply_to_id is not None:
            Post.objects.filter(pk=post.reply_to_id, reply_count__gt=0).update(reply_count=F("reply_count") - 1)
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
    events.publish(event)
    timelines.post_removed(post.pk)  # reads drop it at once; stored timelines after commit
    return post


def _repost_remove(repost: Post) -> None:
    deleted, _ = Post.objects.filter(pk=repost.pk).delete()
    if deleted:
        Post.objects.filter(pk=repost.repost_of_id, repost_count__gt=0).update(repost_count=F("repost_count") - 1)


def _toggle(model: type[Like] | type[Bookmark], *, user: Any, post: Post, on: bool, counter: str | None) -> bool:
    """Make ``user``'s row for ``post`` exist (``on``) or not; True when this call changed it."""
    if on:
        try:
            with transaction.atomic():
                model.objects.create(user=user, post=post)
        except IntegrityError:  # already there (a repeat, or a racing twin won)
            return False
        if counter:
            Post.objects.filter(pk=post.pk).update(**{counter: F(counter) + 1})
        return True
    deleted, _ = model.objects.filter(user=user, post=post).delete()
    if deleted and counter:
        Post.objects.filter(pk=post.pk, **{f"{counter}__gt": 0}).update(**{counter: F(counter) - 1})
    return bool(deleted)


@transaction.atomic
def post_like(*, user: Any, post: Post, on: bool = True) -> bool:
    """``user`` likes ``post`` (or no longer, ``on=False``); True when that changed anything. The
    author hears of a new like (``social.post_liked``)."""
    permissions.suspension_refusal(user)
    if on and not permissions.can_like(user, post):
        raise PermissionDenied("You may not like this post.")
    changed = _toggle(Like, user=user, post=post, on=on, counter="like_count")
    if changed and on:
        events.publish(PostLiked(post_id=post.pk, author_id=post.author_id, user_id=user.pk, actor_id=user.pk))
    return changed


@transaction.atomic
def post_bookmark(*, user: Any, post: Post, on: bool = True) -> bool:
    """``user`` keeps ``post`` among their bookmarks (private: nobody is told), or lets it go."""
    if on and not permissions.can_bookmark(user, post):
        raise PermissionDenied("You may not bookmark this post.")
    return _toggle(Bookmark, user=user, post=post, on=on, counter=None)


@transaction.atomic
def post_repost(*, user: Any, post: Post, on: bool = True) -> Post | None:
    """``user`` reposts a public ``post`` to their followers (a Post with ``repost_of``; one per
    person, the unique constraint deciding a race), or undoes it (``on=False``). Returns the
    repost, or None once undone."""
    permissions.suspension_refusal(user)
    existing = Post.objects.filter(author=user, repost_of=post, deleted_at__isnull=True).first()
    if not on:
        if existing is not None:
            _repost_remove(existing)
            events.publish(PostDeleted(post_id=existing.pk, author_id=user.pk, actor_id=user.pk, repost_of_id=post.pk))
            timelines.post_removed(existing.pk)
        return None
    if existing is not None:
        return existing
    if not permissions.can_repost(user, post):
        raise PermissionDenied("Only public posts may be reposted.")
    try:
        with transaction.atomic():
            repost = Post.objects.create(author=user, repost_of=post, visibility=V.PUBLIC)
    except IntegrityError:
        return Post.objects.filter(author=user, repost_of=post, deleted_at__isnull=True).first()
    Post.objects.filter(pk=post.pk).update(repost_count=F("repost_count") + 1)
    _publish_created(repost, [])
    return repost
