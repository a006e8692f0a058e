from __future__ import annotations

import pytest

from tests.core.comments.fixtures import banned, comment, draft, post, reader, regular

__all__ = ["banned", "comment", "draft", "post", "reader", "regular"]


@pytest.fixture
def blog_admin(user_with_role):
    """A moderator of the blog's comments (posts are the kind these tests comment on)."""
    return user_with_role("blog_admin", display_name="Bea Blogadmin")


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin", display_name="Ada Admin")
