"""Threaded comments, for any domain's objects: threads, replies, edits, reports, live updates,
first-comment approval, platform-wide bans and one moderation queue.

A domain makes a model commentable with a ``Commentable(kind=..., ...)`` in its app hook's
``commentables`` (registry.py), and includes ``comments/_thread.html`` with
``comments = selectors.comment_thread_for(target=obj, viewer=request.user)`` where the thread
goes. Writes are in services.py, reads in selectors.py, the rules in permissions.py, the socket in
consumers.py (group names in realtime.py), pages in views.py and urls.py. docs/comments.md tells
the whole story.
"""

from apps.core.comments.registry import Commentable, register_commentable
from apps.core.platform.faces import lazy_face

# What other apps may use beyond the registry, imported when first asked for (models, selectors
# and views must not load with the face).
_EXPORTS = {
    "Comment": "apps.core.comments.models",
    "CommentThread": "apps.core.comments.selectors",
    "comment_thread_for": "apps.core.comments.selectors",
    "comment_list_published": "apps.core.comments.selectors",
    "moderation_panel": "apps.core.comments.panels",
    # public modules: the writes (services.comment_create, ...) and the pages a domain mounts
    # under its own kind (views.comment_create_on, ...)
    "services": "apps.core.comments.services",
    "views": "apps.core.comments.views",
    # one comment's routes, for a domain that links its comments under its own prefix
    "COMMENT_ROUTES": "apps.core.comments.urls",
}
__all__ = ["Commentable", "register_commentable", *sorted(_EXPORTS)]
__getattr__, __dir__ = lazy_face(__name__, _EXPORTS)
