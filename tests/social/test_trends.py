"""Trending hashtags: hourly buckets whose counts decay with age, on local memory or Redis."""

from __future__ import annotations

import time

import pytest

from apps.social import timelines, trends
from apps.social.models import Post
from tests.social.factories import PostFactory, tag_post

pytestmark = pytest.mark.django_db

HOUR = 3600
NOW = (time.time() // HOUR) * HOUR + 60  # a minute into this hour


def tagged(*names: str, **fields) -> Post:
    post = PostFactory(**fields)
    tag_post(post, *names)
    return post


def test_a_tag_used_a_little_now_outranks_one_used_a_lot_ten_hours_ago(db):
    tagged("Yesterday")
    tagged("Now")
    for _ in range(10):
        trends.record(["yesterday"], at=NOW - 10 * HOUR)
    for _ in range(3):
        trends.record(["now"], at=NOW)

    assert [trend.display for trend in trends.trending(now=NOW)] == ["Now", "Yesterday"]


def test_a_tags_score_decays_hour_by_hour_and_is_gone_after_the_window(db, settings):
    tagged("glaze")
    trends.record(["glaze"], at=NOW)
    trends.record(["glaze"], at=NOW)

    assert trends.scores(now=NOW)["glaze"] == pytest.approx(2)
    assert trends.scores(now=NOW + 2 * HOUR)["glaze"] == pytest.approx(2 * 0.8**2)
    assert "glaze" not in trends.scores(now=NOW + 24 * HOUR)


def test_a_post_is_counted_once_however_often_its_task_runs(db):
    post = tagged("kiln")

    trends.record_post(post)
    trends.record_post(post)

    assert trends.scores()["kiln"] == pytest.approx(1)


def test_publishing_counts_public_posts_only(queued_work):
    with queued_work():
        public = tagged("Clay")
        quiet = tagged("clay", "secret", visibility=Post.Visibility.FOLLOWERS)
        timelines.post_published(public.pk)
        timelines.post_published(quiet.pk)

    assert trends.scores() == {"clay": pytest.approx(1)}


def test_trending_lists_at_most_the_limit_best_first_with_each_tags_spelling(db):
    for i, name in enumerate(["One", "Two", "Three"]):
        tagged(name)
        for _ in range(i + 1):
            trends.record([name.lower()], at=NOW)

    best = trends.trending(limit=2, now=NOW)

    assert [(trend.name, trend.display, trend.score) for trend in best] == [("three", "Three", 3), ("two", "Two", 2)]
