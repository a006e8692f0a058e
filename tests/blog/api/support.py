"""Helpers for the blog API's tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.api_clients import error_of  # noqa: F401  (its tests import it from here)

POSTS = "/api/v1/blog/posts/"
MINE = "/api/v1/blog/posts/mine/"
REVIEW = "/api/v1/blog/posts/review/"
CATEGORIES = "/api/v1/blog/categories/"
TAGS = "/api/v1/blog/tags/"


def post_url(slug: str) -> str:
    return f"{POSTS}{slug}/"


def comments_url(slug: str) -> str:
    return f"{POSTS}{slug}/comments/"


def action_url(pk: int, action: str) -> str:
    """``action_url(post.pk, "publish")``: one of draft, submit, publish, request-changes, schedule, unpublish."""
    return f"{POSTS}{pk}/{action}/"


def png(name: str = "cover.png", size: tuple[int, int] = (1200, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
