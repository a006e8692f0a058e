"""The social network's cast for its permission matrices."""

from __future__ import annotations

import pytest

from apps.core.platform import Audience
from apps.social import audiences
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


# A test app's audience beside the installed ones, as its hook would declare it: a chess club
# whose members a test puts in CLUB_MEMBERS.
CLUB_MEMBERS: set[int] = set()


def _club_refs(user):
    return ["chess"] if getattr(user, "pk", None) in CLUB_MEMBERS else []


CLUB = Audience(
    key="tests.club",
    label="A club's members",
    choices_for=lambda author: [("chess", "The chess club")] if author.pk in CLUB_MEMBERS else [],
    is_member=lambda user, ref: ref in _club_refs(user),
    refs_of=_club_refs,
    member_ids=lambda ref: sorted(CLUB_MEMBERS),
)


@pytest.fixture
def club(monkeypatch):
    """A test app's audience beside the installed ones (as its hook would declare it)."""
    real = audiences.audiences()
    monkeypatch.setattr(audiences, "audiences", lambda: {**real, CLUB.key: CLUB})
    CLUB_MEMBERS.clear()
    yield CLUB
    CLUB_MEMBERS.clear()
