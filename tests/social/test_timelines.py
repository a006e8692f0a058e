"""Home timelines: fan-out on write into the store, hot accounts merged at read time, the cap, a
cold timeline rebuilt from SQL, and every change of who may see what effective on the next read.

Run on the embedded default (local memory) and with REDIS_URL (Redis's sorted sets): the same
tests pass on both. Fan-out runs as a worker would run it next (``queued_work``); a real worker
is in test_timelines_worker.py."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.social import timelines
from apps.social.models import Follow, Mention, Post
from apps.social.timelines import fanout
from apps.social.timelines.store import uses_redis
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, MuteFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(queued_work):
    """Make a post and publish it as the post services will: fan-out queued on commit, then run."""

    def make(**fields) -> Post:
        with queued_work():
            post = PostFactory(**fields)
            timelines.post_published(post.pk)
        return post

    return make


@pytest.fixture
def author(db):
    return UserFactory(display_name="Ada Author")


@pytest.fixture
def reader(author):
    reader = UserFactory(display_name="Rae Reader")
    FollowFactory(follower=reader, followee=author)
    return reader


def stored(user) -> list[int]:
    return timelines.timeline_store().range(timelines.home_key(user.pk), limit=10_000)


def home_ids(user, **kwargs) -> list[int]:
    return [post.pk for post in timelines.home_timeline(user, **kwargs).posts]


def warm(*users) -> None:
    # Fan-out writes only timelines that exist: reading one builds it.
    for user in users:
        timelines.home_timeline(user)


def test_fan_out_puts_a_post_in_every_followers_stored_timeline(author, reader, settings, task_queue, queued_work):
    settings.SOCIAL_FANOUT_BATCH = 2
    others = UserFactory.create_batch(4)
    for other in others:
        FollowFactory(follower=other, followee=author)
    warm(author, reader, *others)

    with queued_work():
        post = PostFactory(author=author)
        timelines.post_published(post.pk)

    for user in (author, reader, *others):
        assert stored(user) == [post.pk]
        assert home_ids(user) == [post.pk]


def test_fan_out_sends_one_delivery_task_per_batch_of_followers(
    author, settings, task_queue, django_capture_on_commit_callbacks
):
    settings.SOCIAL_FANOUT_BATCH = 2
    for _ in range(5):
        FollowFactory(followee=author)
    post = PostFactory(author=author)

    with django_capture_on_commit_callbacks(execute=True):
        timelines.post_published(post.pk)
    ran = task_queue.run()

    assert ran.count("social.timeline_fanout") == 1
    assert ran.count("social.timeline_deliver") == 3


def test_a_post_queued_by_a_rolled_back_transaction_is_never_fanned_out(
    author, task_queue, django_capture_on_commit_callbacks
):
    post = PostFactory(author=author)
    with django_capture_on_commit_callbacks(execute=False):
        timelines.post_published(post.pk)

    assert task_queue.take() == []


def test_people_who_do_not_follow_the_author_get_nothing(author, reader, publish):
    stranger = UserFactory()
    warm(reader, stranger)

    publish(author=author)

    assert stored(stranger) == []
    assert home_ids(stranger) == []


def test_a_pending_follow_request_receives_no_posts(author, publish):
    asking = UserFactory()
    FollowFactory(follower=asking, followee=author, state=Follow.State.PENDING)
    warm(asking)

    publish(author=author)

    assert home_ids(asking) == []


def test_home_shows_ones_own_posts(author, publish):
    warm(author)
    post = publish(author=author, visibility=Post.Visibility.FOLLOWERS)

    assert home_ids(author) == [post.pk]


def test_running_a_fan_out_twice_changes_nothing(author, reader, publish):
    warm(reader)
    post = publish(author=author)

    fanout.fanout_post(post.pk)
    fanout.deliver_post(post.pk, [reader.pk])

    assert stored(reader) == [post.pk]


def test_a_stored_timeline_keeps_only_the_newest_entries_up_to_its_cap(author, reader, settings, publish):
    settings.SOCIAL_TIMELINE_CAP = 5
    warm(reader)

    posts = [publish(author=author) for _ in range(8)]

    assert stored(reader) == [post.pk for post in reversed(posts[-5:])]


def test_the_cap_defaults_to_800():
    assert fanout.timeline_cap() == 800


def test_a_rebuilt_timeline_is_capped_too(author, reader, settings):
    settings.SOCIAL_TIMELINE_CAP = 3
    posts = PostFactory.create_batch(5, author=author)

    timelines.rebuild_home(reader)

    assert stored(reader) == [post.pk for post in reversed(posts[-3:])]


# --- Hot accounts: merged at read time ------------------------------------------------


def test_a_hot_accounts_post_is_not_fanned_out_but_merged_into_its_followers_home(author, reader, settings, publish):
    settings.SOCIAL_FANOUT_MAX_FOLLOWERS = 2
    fans = UserFactory.create_batch(2)
    for fan in fans:
        FollowFactory(follower=fan, followee=author)  # three followers: hot
    ordinary = UserFactory()
    FollowFactory(follower=reader, followee=ordinary)
    warm(reader, *fans)

    before = publish(author=ordinary)
    hot = publish(author=author)
    after = publish(author=ordinary)

    assert hot.pk not in stored(reader)
    assert stored(reader) == [after.pk, before.pk]
    assert home_ids(reader) == [after.pk, hot.pk, before.pk]
    assert home_ids(fans[0]) == [hot.pk]


def test_a_hot_account_still_sees_its_own_posts_at_once(author, settings, publish):
    settings.SOCIAL_FANOUT_MAX_FOLLOWERS = 0
    FollowFactory(followee=author)
    warm(author)

    post = publish(author=author)

    assert home_ids(author) == [post.pk]


def test_hot_accounts_are_merged_page_by_page_without_gaps_or_repeats(author, reader, settings, publish):
    settings.SOCIAL_FANOUT_MAX_FOLLOWERS = 1
    FollowFactory(followee=author)  # two followers: hot
    ordinary = UserFactory()
    FollowFactory(follower=reader, followee=ordinary)
    warm(reader)
    posts = [publish(author=author if i % 3 else ordinary) for i in range(11)]

    seen, max_id = [], None
    while True:
        page = timelines.home_timeline(reader, max_id=max_id, limit=4)
        seen += [post.pk for post in page.posts]
        if page.next_max_id is None:
            break
        max_id = page.next_max_id

    assert seen == [post.pk for post in reversed(posts)]


def test_an_account_turning_hot_is_fanned_out_until_the_hot_set_is_refreshed_so_no_post_is_lost(
    author, reader, settings, publish
):
    settings.SOCIAL_FANOUT_MAX_FOLLOWERS = 2
    warm(reader)  # the hot set is taken: nobody is hot
    FollowFactory(followee=author)
    FollowFactory(followee=author)  # three followers now

    post = publish(author=author)
    assert stored(reader) == [post.pk]  # fan-out and reads agree on the set they share

    cache.clear()  # the set is refreshed (and the timeline evicted)
    assert home_ids(reader) == [post.pk]
    assert stored(reader) == []  # now merged at read time


# --- Changes take effect on the next read ----------------------------------------------


def test_a_deleted_post_leaves_home_on_the_next_read_and_the_store_after_its_task(author, reader, publish, queued_work):
    warm(reader)
    post = publish(author=author)
    kept = publish(author=author)

    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    assert home_ids(reader) == [kept.pk]
    assert post.pk in stored(reader)

    with queued_work():
        timelines.post_removed(post.pk)
    assert stored(reader) == [kept.pk]
    assert post.pk not in stored(author)


def test_a_block_either_way_hides_posts_on_the_next_read(author, reader, publish):
    warm(reader)
    publish(author=author)

    block = BlockFactory(blocker=author, blocked=reader)
    assert home_ids(reader) == []
    block.delete()
    assert len(home_ids(reader)) == 1
    BlockFactory(blocker=reader, blocked=author)
    assert home_ids(reader) == []


def test_a_mute_hides_posts_from_home(author, reader, publish):
    warm(reader)
    publish(author=author)

    MuteFactory(muter=reader, muted=author)

    assert home_ids(reader) == []


def test_an_unfollow_hides_posts_on_the_next_read_and_its_task_purges_them(author, reader, publish, queued_work):
    warm(reader)
    post = publish(author=author)

    with queued_work():
        Follow.objects.filter(follower=reader, followee=author).delete()
        timelines.follow_ended(reader.pk, author.pk)

    assert home_ids(reader) == []
    assert post.pk not in stored(reader)


def test_a_new_follow_backfills_the_followees_recent_posts(author, queued_work):
    posts = PostFactory.create_batch(3, author=author)
    PostFactory(author=author, visibility=Post.Visibility.MENTIONED)  # not for the new follower
    newcomer = UserFactory()
    warm(newcomer)

    with queued_work():
        FollowFactory(follower=newcomer, followee=author)
        timelines.follow_accepted(newcomer.pk, author.pk)

    assert stored(newcomer) == [post.pk for post in reversed(posts)]


def test_a_post_turned_followers_only_leaves_a_strangers_view_but_not_a_followers(author, reader, publish):
    post = publish(author=author)
    stranger = UserFactory()
    FollowFactory(follower=stranger, followee=author)
    warm(reader, stranger)
    fanout.deliver_post(post.pk, [stranger.pk])
    Follow.objects.filter(follower=stranger).delete()
    FollowFactory(follower=stranger, followee=UserFactory())

    Post.objects.filter(pk=post.pk).update(visibility=Post.Visibility.FOLLOWERS)

    assert home_ids(reader) == [post.pk]
    assert home_ids(stranger) == []


def test_a_mentioned_only_post_reaches_only_the_followers_it_mentions(author, reader, publish, queued_work):
    named = UserFactory()
    FollowFactory(follower=named, followee=author)
    warm(reader, named)

    with queued_work():
        post = PostFactory(author=author, visibility=Post.Visibility.MENTIONED)
        Mention.objects.create(post=post, user=named)
        timelines.post_published(post.pk)

    assert home_ids(named) == [post.pk]
    assert home_ids(reader) == []
    assert stored(reader) == []


def test_an_audience_post_shows_in_no_home_but_its_authors(author, reader, publish):
    warm(author, reader)
    post = publish(author=author, visibility=Post.Visibility.AUDIENCE, audience="lms.cohort:1")

    assert home_ids(reader) == []
    assert home_ids(author) == [post.pk]


def test_a_repost_of_a_deleted_or_blocked_original_is_hidden(author, reader, publish):
    original_author = UserFactory()
    original = PostFactory(author=original_author)
    warm(reader)
    repost = publish(author=author, repost_of=original, text="")
    assert home_ids(reader) == [repost.pk]

    BlockFactory(blocker=original_author, blocked=reader)
    assert home_ids(reader) == []


# --- Cold timelines ----------------------------------------------------------------------


def test_fan_out_leaves_a_cold_timeline_cold_and_its_first_read_has_the_post(author, reader, publish):
    post = publish(author=author)

    assert not timelines.timeline_store().exists(timelines.home_key(reader.pk))
    assert home_ids(reader) == [post.pk]
    assert stored(reader) == [post.pk]


def test_a_cold_rebuild_equals_what_fan_out_built(author, reader, settings, publish, queued_work):
    settings.SOCIAL_FANOUT_MAX_FOLLOWERS = 3
    busy = UserFactory()
    for _ in range(4):
        FollowFactory(followee=busy)
    FollowFactory(follower=reader, followee=busy)
    friend = UserFactory()
    FollowFactory(follower=reader, followee=friend)
    warm(reader)

    publish(author=author)
    publish(author=author, visibility=Post.Visibility.FOLLOWERS)
    publish(author=busy)
    publish(author=friend, visibility=Post.Visibility.AUDIENCE, audience="lms.cohort:2")
    with queued_work():
        named = PostFactory(author=friend, visibility=Post.Visibility.MENTIONED)
        Mention.objects.create(post=named, user=reader)
        timelines.post_published(named.pk)
    publish(author=friend, visibility=Post.Visibility.MENTIONED)
    publish(author=reader)
    fanned_out, shown = stored(reader), home_ids(reader)

    timelines.timeline_store().delete(timelines.home_key(reader.pk))  # evicted
    assert home_ids(reader) == shown
    assert stored(reader) == fanned_out


def test_someone_who_follows_nobody_has_a_stored_empty_timeline(db):
    lonely = UserFactory()
    warm(lonely)

    assert timelines.timeline_store().exists(timelines.home_key(lonely.pk))
    assert home_ids(lonely) == []


# --- Hydration ---------------------------------------------------------------------------


def read_page(user) -> list[Post]:
    page = timelines.home_timeline(user)
    for post in page.posts:  # what the entry template touches
        post.author.get_short_name()
        list(post.images.all())
        if post.repost_of:
            post.repost_of.author.get_short_name()
    return page.posts


def test_a_home_page_costs_the_same_few_queries_however_many_posts_it_holds(
    author, reader, publish, django_assert_num_queries
):
    warm(reader)
    publish(author=author)
    original = PostFactory(author=UserFactory())
    publish(author=author, repost_of=original, text="")

    # Following, blocks, mutes, the viewer's audiences (the LMS's four: courses and cohorts taught
    # and learnt), the page's posts (authors and originals joined, the visibility rule in the same
    # statement), their images and the originals' images; the hot accounts come from the page
    # cache. The local store also asks SQL for posts above its newest entry (another process's
    # fan-out cannot reach it).
    with django_assert_num_queries(8 if uses_redis() else 9) as few:
        page = timelines.home_timeline(reader)
        [
            (post.author.display_name, list(post.images.all()), post.repost_of and post.repost_of.author)
            for post in page.posts
        ]
    for _ in range(15):
        publish(author=author)
        publish(author=author, repost_of=PostFactory(author=UserFactory()), text="")
    with django_assert_num_queries(len(few.captured_queries)):
        page = timelines.home_timeline(reader)
        [
            (post.author.display_name, list(post.images.all()), post.repost_of and post.repost_of.author)
            for post in page.posts
        ]
    assert len(page.posts) == 20
    posts_queries = [q for q in few.captured_queries if 'FROM "social_post"' in q["sql"] and "INNER JOIN" in q["sql"]]
    assert len(posts_queries) == 1  # the page's posts, authors and originals: one query


# --- Parts that are down ------------------------------------------------------------------


def test_a_fan_out_the_broker_refuses_is_counted_and_never_raised_and_the_next_read_rebuilds(
    author, reader, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from apps.social import tasks

    def refused(*args, **kwargs):  # the broker, down: what kombu raises then
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.timeline_fanout, "apply_async", refused)
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(author=author)
        timelines.post_published(post.pk)

    assert "degraded: social.timeline_fanout went on without the broker" in caplog.text
    assert home_ids(reader) == [post.pk]  # cold: rebuilt from SQL


def test_a_delivery_with_the_channel_layer_down_still_writes_the_timelines(author, reader, caplog, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    warm(reader)
    post = PostFactory(author=author)
    try:
        assert fanout.deliver_post(post.pk, [reader.pk]) == 1
    finally:
        channel_layers.backends.clear()

    assert stored(reader) == [post.pk]
    assert "social.timeline_push went on without the channel layer" in caplog.text


def test_the_local_store_finds_a_post_another_process_fanned_out_on_the_next_read(author, reader):
    if uses_redis():
        pytest.skip("Redis is shared by every process: fan-out reaches it")
    warm(reader)

    post = PostFactory(author=author)  # fanned out by a worker elsewhere, into its own memory

    assert home_ids(reader) == [post.pk]
    assert stored(reader) == [post.pk]
