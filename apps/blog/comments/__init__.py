"""The blog's use of core's comments (apps/core/comments): its posts are commentable, under the
blog's own addresses (urls.py) beside core's, with demo threads (demo.py).

``post_comments()`` describes posts as a commentable kind; the blog's hook (apps/blog/platform.py)
lists it and core registers it at start-up.
"""

from __future__ import annotations

from typing import Any

from apps.core.comments import Commentable

POST_KIND = "blog.post"


def _thread_open(user: Any, post: Any) -> bool:
    # Comments are read and written on published posts only (a draft has no readers yet).
    return bool(post.live)


def post_comments() -> Commentable:
    from apps.blog import permissions
    from apps.blog.models import Post
    from apps.blog.selectors import NAMESPACE

    return Commentable(
        kind=POST_KIND,
        model=Post,
        domain="blog",
        label="Blog",
        can_view=_thread_open,
        can_moderate=permissions.can_moderate_comments,
        url_of=Post.get_absolute_url,
        title_of=lambda post: post.title,
        cache_namespace=NAMESPACE,  # the post page keeps signed-out threads there
    )
