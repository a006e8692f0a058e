"""The comment tests' cast and thread, on the blog's posts (the first registered kind):
imported by tests/core/comments/conftest.py and tests/blog/conftest.py."""

from __future__ import annotations

import pytest

from apps.core.comments.models import Comment
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentBanFactory, CommentFactory


@pytest.fixture
def post(db):
    """A published post."""
    return PostFactory(live=True, title="Threads worth reading", slug="threads")


@pytest.fixture
def draft(db):
    return PostFactory(live=False, title="Not yet", slug="not-yet")


@pytest.fixture
def reader(user_with_role):
    """A member who has never commented: their first comment waits for approval."""
    return user_with_role(None, display_name="Rita Reader")


@pytest.fixture
def regular(user_with_role, post):
    """A member with an approved comment already: their comments publish at once."""
    user = user_with_role(None, display_name="Reggie Regular")
    CommentFactory(target=post, author=user, body="An earlier comment.")
    return user


@pytest.fixture
def banned(user_with_role, blog_admin):
    user = user_with_role(None, display_name="Bart Banned")
    CommentFactory(target=PostFactory(live=True), author=user)  # not a first-timer: the ban alone refuses
    CommentBanFactory(user=user, banned_by=blog_admin)
    return user


@pytest.fixture
def comment(post, regular) -> Comment:
    """A published comment by ``regular`` on ``post``."""
    return CommentFactory(target=post, author=regular, body="Published and replyable.")
