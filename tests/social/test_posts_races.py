"""Toggles racing on PostgreSQL: the unique constraints decide, and the counters kept with F()
updates end equal to the rows, however the requests interleave."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.social.models import Bookmark, Like, Post, Profile
from apps.social.services import posts as services
from apps.social.services.profiles import profile_ensure
from tests.core.factories import UserFactory
from tests.social.factories import ProfileFactory
from tests.utils import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)"),
    pytest.mark.django_db(transaction=True),
]
TIMES = 10


@pytest.fixture
def post(transactional_db):
    return services.post_create(author=ProfileFactory(handle="ada").user, text="race me")


def test_one_person_liking_ten_times_at_once_likes_once(post):
    fan = UserFactory()
    results = race(lambda i: services.post_like(user=fan, post=post), TIMES)
    assert sum(result is True for result in results) == 1, results
    post.refresh_from_db()
    assert post.like_count == 1 == Like.objects.count()


def test_ten_people_liking_at_once_count_ten(post):
    fans = [UserFactory() for _ in range(TIMES)]
    race(lambda i: services.post_like(user=fans[i], post=post), TIMES)
    post.refresh_from_db()
    assert post.like_count == TIMES == Like.objects.count()


def test_likes_and_unlikes_racing_leave_the_counter_equal_to_the_rows(post):
    fans = [UserFactory() for _ in range(4)]
    race(lambda i: services.post_like(user=fans[i % 4], post=post, on=i % 3 != 0), 12)
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count()


def test_one_person_reposting_at_once_reposts_once(post):
    fan = UserFactory()
    results = race(lambda i: services.post_repost(user=fan, post=post), TIMES)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len({result.pk for result in results}) == 1
    post.refresh_from_db()
    assert post.repost_count == 1 == Post.objects.filter(repost_of=post).count()


def test_bookmarking_at_once_keeps_one(post):
    fan = UserFactory()
    race(lambda i: services.post_bookmark(user=fan, post=post), TIMES)
    assert Bookmark.objects.count() == 1


def test_replies_racing_count_each_once(post):
    people = [UserFactory() for _ in range(TIMES)]
    race(lambda i: services.post_create(author=people[i], text=f"reply {i}", reply_to=post), TIMES)
    post.refresh_from_db()
    assert post.reply_count == TIMES == Post.objects.filter(reply_to=post).count()


def test_a_profile_ensured_at_once_is_one_profile(transactional_db):
    user = UserFactory(display_name="Racer")
    results = race(lambda i: profile_ensure(user), 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Profile.objects.filter(user=user).count() == 1
