"""The blog's slots: places in any body of blocks (home, pages) that the blog fills."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from apps.blog import selectors


def latest_posts(request: HttpRequest | None, options: Mapping[str, Any]) -> str:
    """The newest live posts as small cards (``options.limit``, 3 by default); nothing when none.

    The cards read the same for every reader: rendered once and kept until the next publish."""
    limit = options.get("limit", 3)
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= 24 else 3

    def load() -> str:
        posts = selectors.post_list_recent(limit=limit)
        return render_to_string("blog/_latest_posts.html", {"posts": posts}) if posts else ""

    return selectors.cached_live(f"recent-html:{limit}", load)
