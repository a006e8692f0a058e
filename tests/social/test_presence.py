"""Who sees whose online status on the social network (apps/social/presence.py), through core's
presence service as every page, the API and the socket ask it: the project's own hooks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.core.platform import presence
from apps.social.models import Follow, Profile
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, ProfileFactory


@pytest.fixture(autouse=True)
def _presence_forgotten() -> None:
    # The embedded default's store is presence's own local-memory cache, which the suite's clean
    # slate (the configured caches) does not empty; with Redis the flush does.
    presence.reset_local()


pytestmark = pytest.mark.django_db

Audience = Profile.Presence


@pytest.fixture
def viewer():  # type: ignore[no-untyped-def]
    return ProfileFactory().user


def person(audience: str):  # type: ignore[no-untyped-def]
    user = ProfileFactory(presence_audience=audience).user
    presence.service().heartbeat(user.pk, f"tab-{user.pk}")
    return user


def test_everyone_means_every_signed_in_viewer(viewer):
    subject = person(Audience.EVERYONE)

    assert presence.status(viewer, subject).state == "online"


def test_people_i_follow_means_the_subject_follows_the_viewer(viewer):
    subject = person(Audience.FOLLOWING)
    assert presence.status(viewer, subject) is None

    FollowFactory(follower=viewer, followee=subject)  # the viewer following the subject is not enough
    assert presence.status(viewer, subject) is None

    FollowFactory(follower=subject, followee=viewer)
    assert presence.status(viewer, subject).state == "online"


def test_a_follow_request_not_yet_accepted_does_not_count(viewer):
    subject = person(Audience.FOLLOWING)
    FollowFactory(follower=subject, followee=viewer, state=Follow.State.PENDING)

    assert presence.status(viewer, subject) is None


def test_nobody_means_nobody_but_oneself(viewer):
    subject = person(Audience.NOBODY)
    FollowFactory(follower=subject, followee=viewer)

    assert presence.status(viewer, subject) is None
    assert presence.status(subject, subject).state == "online"


def test_anonymous_viewers_see_nothing():
    subject = person(Audience.EVERYONE)

    assert presence.status(AnonymousUser(), subject) is None


def test_a_block_either_way_hides_ones_status(viewer):
    blocked_by_subject = person(Audience.EVERYONE)
    blocking_subject = person(Audience.EVERYONE)
    BlockFactory(blocker=blocked_by_subject, blocked=viewer)
    BlockFactory(blocker=viewer, blocked=blocking_subject)

    assert presence.statuses(viewer, [blocked_by_subject, blocking_subject]) == {}


def test_someone_without_a_profile_has_the_default_audience(viewer):
    subject = UserFactory()

    assert presence.status(viewer, subject).state == "offline"


def test_a_follower_list_costs_the_same_few_queries_however_long(viewer, django_assert_max_num_queries):
    def people(n: int) -> list:  # type: ignore[type-arg]
        found = [person(audience) for audience in (Audience.EVERYONE, Audience.FOLLOWING, Audience.NOBODY) * n]
        for subject in found[1::3]:
            FollowFactory(follower=subject, followee=viewer)
        return found

    few, many = people(1), people(8)

    with django_assert_max_num_queries(3):
        assert len(presence.statuses(viewer, few)) == 2
    with django_assert_max_num_queries(3):
        assert len(presence.statuses(viewer, many)) == 16
