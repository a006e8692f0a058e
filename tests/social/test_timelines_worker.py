"""Fan-out on a real Celery worker (a thread of this process on the configured broker): a post
published in a committed transaction reaches every follower's home, in batches of tasks."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from apps.social import timelines
from tests.core.factories import UserFactory
from tests.social.factories import FollowFactory, PostFactory


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stored(user) -> list[int]:
    return timelines.timeline_store().range(timelines.home_key(user.pk), limit=100)


@pytest.mark.django_db(transaction=True)
def test_a_worker_fans_a_published_post_out_to_every_follower_in_batches(celery_worker, settings):
    settings.SOCIAL_FANOUT_BATCH = 2
    author = UserFactory()
    followers = UserFactory.create_batch(5)
    for follower in followers:
        FollowFactory(follower=follower, followee=author)
        timelines.home_timeline(follower)  # warm: fan-out writes stored timelines
    stranger = UserFactory()
    timelines.home_timeline(stranger)

    with transaction.atomic():
        post = PostFactory(author=author)
        timelines.post_published(post.pk)

    assert wait_for(lambda: all(stored(follower) == [post.pk] for follower in followers))
    assert stored(stranger) == []
    assert [p.pk for p in timelines.home_timeline(followers[-1]).posts] == [post.pk]
