"""The social network's cast for its permission matrices."""

from __future__ import annotations

import pytest

from apps.core.platform import Audience
from apps.social import audiences
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, ProfileFactory


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


@pytest.fixture
def readers(db, author, club):
    """The visibility tests' cast: the author, a stranger, a follower, someone mentioned, a club
    member, and someone the author blocked who follows, is mentioned and is in the club (so the
    block alone keeps them out)."""

    def person(handle):
        return ProfileFactory(handle=handle, user=UserFactory(display_name=handle.title())).user

    cast = {
        "author": author,
        "stranger": person("stranger"),
        "follower": person("follower"),
        "mentioned": person("mentioned"),
        "member": person("member"),
        "blocked": person("blocked"),
    }
    FollowFactory(follower=cast["follower"], followee=author)
    FollowFactory(follower=cast["blocked"], followee=author)
    BlockFactory(blocker=author, blocked=cast["blocked"])
    CLUB_MEMBERS.update({author.pk, cast["member"].pk, cast["blocked"].pk})
    return cast
