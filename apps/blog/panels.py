"""The blog's dashboard panels: the review queue and the comments waiting in the moderation
queue for blog admins, "your posts" for authors."""

from __future__ import annotations

from typing import Any

from apps.blog import permissions, selectors
from apps.core.accounts import Panel
from apps.core.comments import moderation_panel


def _review(user: Any) -> dict[str, Any]:
    return {"summary": selectors.review_summary(), "submitted": selectors.post_list_submitted()[:5]}


def _my_posts(user: Any) -> dict[str, Any]:
    return {"rows": selectors.post_list_for_author(user=user)[:5]}


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
