"""GET /api/v1/social/presence/?ids=...: people's online status as the caller may see it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.core.platform import presence
from apps.social.models import Profile
from tests.core.factories import UserFactory
from tests.social.factories import FollowFactory, ProfileFactory


@pytest.fixture(autouse=True)
def _presence_forgotten() -> None:
    # The embedded default's store is presence's own local-memory cache, which the suite's clean
    # slate (the configured caches) does not empty; with Redis the flush does.
    presence.reset_local()


pytestmark = pytest.mark.django_db

URL = "/api/v1/social/presence/"


@pytest.fixture
def viewer():  # type: ignore[no-untyped-def]
    return ProfileFactory().user


@pytest.fixture
def api(viewer) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def online(audience: str = Profile.Presence.EVERYONE):  # type: ignore[no-untyped-def]
    user = ProfileFactory(presence_audience=audience).user
    presence.service().heartbeat(user.pk, f"tab-{user.pk}")
    return user


def test_the_caller_reads_the_statuses_they_may_see_in_the_order_asked(api, viewer):
    shown, hidden = online(), online(Profile.Presence.NOBODY)
    away = online()
    presence.service().heartbeat(away.pk, f"tab-{away.pk}", away=True)
    gone = online()
    presence.service().disconnect(gone.pk, f"tab-{gone.pk}")

    response = api.get(URL, {"ids": f"{gone.pk},{hidden.pk},{shown.pk},{away.pk},{shown.pk}"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(row["id"], row["state"]) for row in results] == [
        (gone.pk, "offline"),
        (shown.pk, "online"),
        (away.pk, "away"),
    ]
    assert results[0]["last_seen"] is not None


def test_followers_only_statuses_show_to_the_people_the_subject_follows(api, viewer):
    subject = online(Profile.Presence.FOLLOWING)
    assert api.get(URL, {"ids": str(subject.pk)}).json()["results"] == []

    FollowFactory(follower=subject, followee=viewer)

    assert [row["id"] for row in api.get(URL, {"ids": str(subject.pk)}).json()["results"]] == [subject.pk]


def test_an_unknown_or_inactive_person_is_absent_not_offline(api):
    inactive = UserFactory(is_active=False)

    response = api.get(URL, {"ids": f"{inactive.pk},999999"})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_anonymous_callers_are_refused_with_401():
    response = APIClient().get(URL, {"ids": "1"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("ids", ["", " , ", "a,b", "1,-2", "0", "1.5", "99999999999999999999", ",".join(["1"] * 201)])
def test_bad_ids_are_a_400_naming_the_field(api, ids):
    response = api.get(URL, {"ids": ids})

    assert response.status_code == 400
    assert "ids" in response.json()["error"]["fields"]


def test_a_missing_ids_parameter_is_a_400(api):
    assert api.get(URL).status_code == 400


def test_other_methods_are_refused_with_405(api):
    assert api.post(URL, {"ids": "1"}).status_code == 405
    assert api.delete(URL).status_code == 405


def test_the_query_count_does_not_grow_with_the_list(api, django_assert_max_num_queries):
    few = ",".join(str(online().pk) for _ in range(2))
    many = ",".join(str(online().pk) for _ in range(20))

    for ids in (few, many):
        with django_assert_max_num_queries(6):
            assert api.get(URL, {"ids": ids}).status_code == 200
