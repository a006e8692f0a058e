"""The social network's cast for its permission matrices."""

from __future__ import annotations

import pytest

from tests.core.factories import UserFactory
from tests.social.factories import ProfileFactory


# --- Posts and profiles ---------------------------------------------------------------------------
def _person(handle: str, name: str):
    return ProfileFactory(handle=handle, user=UserFactory(display_name=name)).user


@pytest.fixture
def author(db):
    """Someone who writes posts, with a profile at /@ada/."""
    return _person("ada", "Ada Author")


@pytest.fixture
def reader(db):
    return _person("rey", "Rey Reader")


@pytest.fixture
def outsider(db):
    return _person("oz", "Oz Outsider")
