"""The timeline store's contract, on whichever store this run has (local memory by default,
Redis's sorted sets with REDIS_URL): the same assertions hold for both."""

from __future__ import annotations

import pytest

from apps.social.timelines.store import LocalTimelineStore, RedisTimelineStore, timeline_store, uses_redis

KEY = "social:tl:home:test"


@pytest.fixture
def store(settings):
    settings.SOCIAL_TIMELINE_CAP = 5
    return timeline_store()


def test_the_store_is_redis_exactly_when_the_cache_is(settings):
    expected = RedisTimelineStore if uses_redis() else LocalTimelineStore
    assert isinstance(timeline_store(), expected)


def test_adding_to_a_missing_timeline_leaves_it_missing(store):
    assert store.add(KEY, [1, 2]) is False
    assert not store.exists(KEY)
    assert store.range(KEY, limit=10) == []


def test_a_replaced_timeline_exists_even_when_empty(store):
    store.replace(KEY, [])

    assert store.exists(KEY)
    assert store.range(KEY, limit=10) == []


def test_entries_come_newest_first_between_the_cursors(store):
    store.replace(KEY, [3, 1, 2])
    store.add(KEY, [5, 4])

    assert store.range(KEY, limit=10) == [5, 4, 3, 2, 1]
    assert store.range(KEY, max_id=4, limit=10) == [3, 2, 1]
    assert store.range(KEY, min_id=2, limit=10) == [5, 4, 3]
    assert store.range(KEY, max_id=5, min_id=1, limit=2) == [4, 3]


def test_adding_keeps_only_the_newest_up_to_the_cap(store):
    store.replace(KEY, [1, 2, 3])

    store.add(KEY, [10, 9, 8, 7])

    assert store.range(KEY, limit=10) == [10, 9, 8, 7, 3]
    assert store.exists(KEY)


def test_a_rebuild_is_capped_and_an_explicit_trim_cuts_further(store):
    store.replace(KEY, range(1, 20))
    assert store.range(KEY, limit=10) == [19, 18, 17, 16, 15]

    store.trim(KEY, 2)

    assert store.range(KEY, limit=10) == [19, 18]


def test_an_id_is_held_once_and_removed_on_request(store):
    store.replace(KEY, [1])
    store.add(KEY, [2, 2])
    store.add(KEY, [2])

    store.remove(KEY, [1, 99])

    assert store.range(KEY, limit=10) == [2]


def test_a_batch_adds_to_the_existing_timelines_only(store):
    store.replace(f"{KEY}:a", [1])
    store.replace(f"{KEY}:b", [])

    assert store.add_to_many([f"{KEY}:a", f"{KEY}:b", f"{KEY}:cold"], [7]) == 2

    assert store.range(f"{KEY}:a", limit=10) == [7, 1]
    assert store.range(f"{KEY}:b", limit=10) == [7]
    assert not store.exists(f"{KEY}:cold")


def test_a_deleted_timeline_is_cold(store):
    store.replace(KEY, [1])

    store.delete(KEY)

    assert not store.exists(KEY)
