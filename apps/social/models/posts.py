"""Posts and what people do with them: images, edits, likes, reposts, bookmarks, hashtags and
mentions.

A reply is a post with ``reply_to`` (its thread's ``root`` kept on every reply, so a thread is
one indexed query), and a repost is a post with ``repost_of`` and no text of its own, as
Mastodon's reblogs are statuses: a timeline is one list of post ids whether an entry is an
original, a reply or a repost. Threads are this model's own rather than core's comment engine:
replies appear in timelines, carry visibility, mentions and likes like any post, which comments
do not.

``visibility`` says who may read a post; ``audience`` names the group of an ``audience``
post as the providing app declared it in its hook (``"lms.cohort:12"``). Deleting a post keeps
its row (``deleted_at``, text and images cleared) so replies keep their place in a thread and
timelines drop it on their next read.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

POST_MAX_CHARS = 1000
IMAGES_MAX = 4


class Post(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        FOLLOWERS = "followers", "Followers only"
        MENTIONED = "mentioned", "Mentioned people only"
        AUDIENCE = "audience", "An audience"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_posts")
    # What the author typed (mentions, hashtags and links are found in it) and its safe HTML.
    text = models.TextField(max_length=POST_MAX_CHARS, blank=True)
    html = models.TextField(blank=True)
    # A long post: blocks of the platform's editor, rendered beneath the text.
    body = models.JSONField(default=list, blank=True)
    content_warning = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    audience = models.CharField(max_length=80, blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="thread")
    repost_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="reposts")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Held by the word filter for review: only its author sees it until staff release or remove it.
    held_at = models.DateTimeField(null=True, blank=True)
    # Counters kept by the services with F() updates, so a page never counts rows per post.
    like_count = models.PositiveIntegerField(default=0)
    repost_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility="audience", audience__gt="") | (~Q(visibility="audience") & Q(audience="")),
                name="social_post_audience_named",
            ),
            # One repost of a post per person.
            models.UniqueConstraint(
                fields=["author", "repost_of"],
                condition=Q(repost_of__isnull=False, deleted_at__isnull=True),
                name="social_repost_once",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="social_post_author_recent"),
            models.Index(fields=["root", "created_at"], name="social_post_thread"),
            models.Index(
                fields=["-created_at"],
                condition=Q(visibility="public", deleted_at__isnull=True),
                name="social_post_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.text[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("social:post", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def post_image_path(instance: PostImage, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"social/posts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class PostImage(models.Model):
    """One of a post's images: re-encoded without its metadata, with its alt text and renditions
    (``renditions``: width -> storage name, made by the services)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(upload_to=post_image_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField(max_length=1500, blank=True)
    renditions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="social_post_image_position")]

    def __str__(self) -> str:
        return f"image {self.position} of post {self.post_id}"


class PostEdit(models.Model):
    """A post as it was before an edit: the visible history of "edited" posts."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    content_warning = models.CharField(max_length=200, blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"earlier text of post {self.post_id}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="social_like_once")]
        indexes = [models.Index(fields=["post", "-created_at"], name="social_like_post")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_bookmarks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="social_bookmark_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="social_bookmark_user")]

    def __str__(self) -> str:
        return f"{self.user_id} kept {self.post_id}"


class Hashtag(models.Model):
    # Lower-cased: #Django and #django are one tag; the display keeps the first spelling seen.
    name = models.CharField(max_length=100, unique=True)
    display = models.CharField(max_length=100)
    posts = models.ManyToManyField(Post, through="PostHashtag", related_name="hashtags")

    def __str__(self) -> str:
        return f"#{self.display}"

    def get_absolute_url(self) -> str:
        return reverse("social:hashtag", args=[self.name])


class PostHashtag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE)
    # The post's time, copied: a hashtag's page is one index range, newest first.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "hashtag"], name="social_post_hashtag_once")]
        indexes = [models.Index(fields=["hashtag", "-created_at"], name="social_hashtag_recent")]

    def __str__(self) -> str:
        return f"{self.post_id} #{self.hashtag_id}"


class Mention(models.Model):
    """Someone named in a post: notified, and a reader of a "mentioned people only" post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_mentions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="social_mention_once"),
        ]
        indexes = [models.Index(fields=["user", "post"], name="social_mention_user")]

    def __str__(self) -> str:
        return f"{self.post_id} mentions {self.user_id}"


__all__ = ["Bookmark", "Hashtag", "Like", "Mention", "Post", "PostEdit", "PostHashtag", "PostImage"]
