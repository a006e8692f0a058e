"""Threaded comments, for any domain's objects: threads, replies, edits, reports, live updates,
first-comment approval, platform-wide bans and one moderation queue.

A domain makes a model commentable with one call, ``register_commentable(kind=..., ...)``
(registry.py), and includes ``comments/_thread.html`` with
``comments = selectors.comment_thread_for(target=obj, viewer=request.user)`` where the thread
goes. Writes are in services.py, reads in selectors.py, the rules in permissions.py, the socket in
consumers.py (group names in realtime.py), pages in views.py and urls.py. docs/comments.md tells
the whole story.
"""

from apps.core.comments.registry import Commentable, register_commentable

__all__ = ["Commentable", "register_commentable"]
