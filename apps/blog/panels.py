"""The blog's dashboard panels: the review queue and the comments waiting in the moderation
queue for blog admins, "your posts" for authors."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse

from apps.blog import permissions, selectors
from apps.core.accounts import Panel
from apps.core.comments import moderation_panel


def _review(user: Any) -> dict[str, Any]:
    summary = selectors.review_summary()
    tile = {"label": "Posts waiting for review", "count": summary["submitted"], "url": reverse("blog:review")}
    return {"summary": summary, "submitted": selectors.post_list_submitted()[:5], "tiles": [tile]}


def _my_posts(user: Any) -> dict[str, Any]:
    rows = selectors.post_list_for_author(user=user)  # every post of theirs, so the counts are free
    counts = Counter(_state(row.post) for row in rows)
    mine = reverse("blog:mine")
    # Their drafts once they have written anything; the other states only when some post is in them.
    tiles = [
        {"label": "Returned for changes", "count": counts["changes"], "url": mine},
        {"label": "Your drafts", "count": counts["draft"], "url": mine},
        {"label": "Your posts waiting for review", "count": counts["submitted"], "url": mine},
        {"label": "Your scheduled posts", "count": counts["scheduled"], "url": mine},
    ]
    tiles = [tile for tile in tiles if tile["count"] or (rows and tile["label"] == "Your drafts")]
    return {"rows": rows[:5], "counts": counts, "tiles": tiles}


def _state(post: Any) -> str:
    """Where one of an author's posts stands, for their counts."""
    if post.review_state == post.ReviewState.CHANGES_REQUESTED:
        return "changes"
    if post.review_state == post.ReviewState.SUBMITTED:
        return "submitted"
    if post.go_live_at and not post.live:
        return "scheduled"
    return "live" if post.live else "draft"


# Listed by the blog's hook (apps/blog/platform.py).
PANELS: tuple[Panel, ...] = (
    Panel("blog-review", "Review queue", "blog/panels/_review.html", frozenset({"blog"}), _review, order=15),
    moderation_panel(key="blog-moderation", dashboards=frozenset({"blog"}), domain="blog", order=15),
    # Blog authors land on the member dashboard; the panel shows only to those who write.
    Panel(
        "blog-my-posts",
        "Your posts",
        "blog/panels/_my_posts.html",
        frozenset({"blog", "member"}),
        _my_posts,
        order=16,
        show=permissions.can_create_post,
    ),
)
