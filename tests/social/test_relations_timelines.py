"""The relation services keep home timelines in step: a follow that begins backfills the
followee's recent posts into the follower's stored timeline, and one that ends takes them out."""

from __future__ import annotations

import pytest

from apps.social import timelines
from apps.social.services import relations
from apps.social.timelines import fanout
from apps.social.timelines.store import timeline_store
from tests.social.factories import PostFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def _stored(user) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(pk) for pk in timeline_store().range(fanout.home_key(user.pk), limit=50)]


@pytest.fixture
def pair(db):  # type: ignore[no-untyped-def]
    author, reader = ProfileFactory().user, ProfileFactory().user
    timelines.home_timeline(reader)  # the reader's timeline exists (cold ones are rebuilt from SQL)
    return author, reader


def test_following_backfills_and_unfollowing_purges_the_stored_timeline(pair, queued_work):
    author, reader = pair
    post = PostFactory(author=author)
    with queued_work():
        relations.follow_create(follower=reader, followee=author)
    assert post.pk in _stored(reader)
    with queued_work():
        relations.follow_delete(follower=reader, followee=author)
    assert post.pk not in _stored(reader)


def test_an_approved_request_backfills_and_a_block_purges(pair, queued_work):
    author, reader = pair
    author.social_profile.locked = True
    author.social_profile.save(update_fields=["locked"])
    post = PostFactory(author=author)
    with queued_work():
        relations.follow_create(follower=reader, followee=author)
    assert post.pk not in _stored(reader)  # a request receives nothing
    with queued_work():
        relations.follow_request_approve(owner=author, follower=reader)
    assert post.pk in _stored(reader)
    with queued_work():
        relations.block_create(blocker=author, blocked=reader)
    assert post.pk not in _stored(reader)
