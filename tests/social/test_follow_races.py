"""Follow races on PostgreSQL: twenty "Follow" clicks of one pair sent at once over real HTTP to
a production-mode server make one follow, one event and one notification; follows racing a
block of the same pair never outlive it; follows racing the account's unlocking never leave a
request behind on an open account."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from apps.core.models import OutboxEvent
from apps.core.notifications.models import Notification
from apps.social.models import Block, Follow, Profile
from apps.social.services import relations as services
from apps.social.services.profile_settings import Settings, profile_settings_save
from tests.commerce.test_races import TIMEOUT, race_env, signed_in  # noqa: F401 (the fixture)
from tests.faults.conftest import production_env  # noqa: F401 (the fixture)
from tests.social.factories import ProfileFactory
from tests.utils import daphne_server, race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")

CLICKS = 20


def test_twenty_follow_posts_of_one_pair_at_once_make_one_follow(race_env, tmp_path: Path):  # noqa: F811
    follower, followee = ProfileFactory(handle="Fan"), ProfileFactory(handle="Star")
    browsers = [signed_in(follower.user) for _ in range(CLICKS)]

    with daphne_server(race_env, tmp_path / "daphne.log") as url:

        def click(index: int) -> int:
            answer = browsers[index].post(
                url + "/@Star/follow/", headers={"HX-Request": "true"}, timeout=TIMEOUT, allow_redirects=False
            )
            assert "Unfollow" in answer.text, answer.text[:500]
            return answer.status_code

        answers = race(click, CLICKS)

    assert answers == [200] * CLICKS, [a for a in answers if a != 200][:3]
    assert Follow.objects.filter(follower=follower.user, followee=followee.user, state="accepted").count() == 1
    assert OutboxEvent.objects.filter(name="social.follow_created").count() == 1
    assert Notification.objects.filter(recipient=followee.user, kind="social.follow").count() == 1


@pytest.mark.django_db(transaction=True)
def test_follows_racing_a_block_of_the_pair_never_outlive_it():
    ada, bea = ProfileFactory().user, ProfileFactory().user

    def act(index: int) -> object:
        if index == CLICKS // 2:
            return services.block_create(blocker=bea, blocked=ada)
        return services.follow_create(follower=ada, followee=bea)

    results = race(act, CLICKS)

    refused = [r for r in results if isinstance(r, BaseException)]
    assert all("You cannot follow this person." in str(r) for r in refused), refused[:3]
    assert Block.objects.filter(blocker=bea, blocked=ada).exists()
    assert not Follow.objects.exists()
    created = OutboxEvent.objects.filter(name="social.follow_created").count()
    assert OutboxEvent.objects.filter(name="social.follow_deleted").count() == created <= 1


@pytest.mark.django_db(transaction=True)
def test_follows_racing_the_unlocking_leave_no_request_behind():
    owner = ProfileFactory(locked=True)
    fans = [ProfileFactory().user for _ in range(CLICKS)]
    settings = Settings(handle=owner.handle, locked=False, presence_audience="everyone", links=[])

    def act(index: int) -> object:
        if index == 0:
            return profile_settings_save(profile=Profile.objects.get(pk=owner.pk), settings=settings)
        return services.follow_create(follower=fans[index], followee=owner.user)

    results = race(act, CLICKS)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Follow.objects.filter(followee=owner.user).count() == CLICKS - 1
    assert not Follow.objects.filter(state="pending").exists()
