from __future__ import annotations

import pytest

from tests.blog.factories import CategoryFactory, TagFactory
from tests.core.comments.fixtures import banned, comment, draft, post, reader, regular  # noqa: F401 (comment fixtures)


@pytest.fixture
def author(user_with_role):
    return user_with_role("blog_author", display_name="Art Author")


@pytest.fixture
def other_author(user_with_role):
    return user_with_role("blog_author", display_name="Olga Other")


@pytest.fixture
def blog_admin(user_with_role):
    return user_with_role("blog_admin", display_name="Bea Blogadmin")


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin", display_name="Ada Admin")


@pytest.fixture
def people(author, other_author, blog_admin, admin, member):
    """The blog's permission matrix: who is asking."""
    return {
        "author": author,
        "other_author": other_author,
        "blog_admin": blog_admin,
        "admin": admin,
        "member": member,
        "anonymous": None,
    }


@pytest.fixture
def news(db):
    return CategoryFactory(name="News", slug="news")


@pytest.fixture
def django_tag(db):
    return TagFactory(name="Django", slug="django")
