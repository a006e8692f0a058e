"""The social API's people part: profiles, followers and following (the access matrix of a
locked account, blocks either way, cursor pages with flat query counts), the follow, block and
mute switches (idempotent, refusals in the error shape), follow requests and one's own profile
settings (bad input 400 changing nothing)."""

from __future__ import annotations

import pytest

from apps.social.models import Block, Follow, Mute, Profile
from tests.core.images import image_upload
from tests.social.api.conftest import API, error_of
from tests.social.factories import BlockFactory, follow, person

pytestmark = pytest.mark.django_db


def lock(user) -> None:
    Profile.objects.filter(user=user).update(locked=True)


# --- The root ----------------------------------------------------------------------------------


def test_the_root_links_to_the_social_lists(api_as):
    body = api_as(None).get(API).json()
    assert set(body["links"]) >= {"conversations", "follow_requests", "my_profile", "presence"}
    assert body["links"]["presence"].endswith("/api/v1/social/presence/")


def test_the_api_root_links_to_the_social_root(api_as):
    assert api_as(None).get("/api/v1/").json()["links"]["social"].endswith("/api/v1/social/")


def test_presence_stays_where_it_was(api_as, ana):
    response = api_as(ana).get(f"{API}presence/", {"ids": str(ana.pk)})
    assert response.status_code == 200


# --- Profiles ----------------------------------------------------------------------------------


def test_a_profile_shows_who_they_are_their_counts_and_how_the_viewer_stands(api_as, ana, ben, cat):
    follow(ben, ana)
    follow(ana, cat)
    Profile.objects.filter(user=ana).update(links=[{"label": "Site", "url": "https://ana.example"}])
    body = api_as(ben).get(f"{API}profiles/ANA/").json()
    assert body["handle"] == "ana" and body["display_name"] == "Ana"
    assert body["counts"] == {"followers": 1, "following": 1}
    assert body["links"] == [{"label": "Site", "url": "https://ana.example"}]
    assert body["relation"]["follow"] == "accepted" and body["relation"]["follows_you"] is False
    assert body["locked"] is False and body["joined_at"]
    assert api_as(None).get(f"{API}profiles/ana/").json()["relation"]["follow"] is None


def test_nobody_and_people_across_a_block_are_not_found(api_as, ana, ben):
    error_of(api_as(ana).get(f"{API}profiles/nobody/"), 404)
    BlockFactory(blocker=ben, blocked=ana)
    error_of(api_as(ana).get(f"{API}profiles/ben/"), 404)
    error_of(api_as(ben).get(f"{API}profiles/ana/"), 404)
    error_of(api_as(ana).get(f"{API}profiles/ben/followers/"), 404)


# --- Followers and following -------------------------------------------------------------------


def test_a_locked_accounts_lists_are_for_its_owner_and_accepted_followers(api_as, ana, ben, cat):
    lock(ana)
    follow(ben, ana)
    stranger = person("stranger")
    Follow.objects.create(follower=stranger, followee=ana, state=Follow.State.PENDING)
    for which in ("followers", "following"):
        url = f"{API}profiles/ana/{which}/"
        assert api_as(ana).get(url).status_code == 200
        assert api_as(ben).get(url).status_code == 200
        error_of(api_as(cat).get(url), 403)
        error_of(api_as(stranger).get(url), 403)  # a request is no follow
        error_of(api_as(None).get(url), 403)


def test_an_open_accounts_followers_page_by_cursor_with_flat_queries(api_as, ana, ben, django_assert_max_num_queries):
    followers = [person(f"fan{i}") for i in range(5)]
    for fan in followers:
        follow(fan, ana)
    client = api_as(ben)
    with django_assert_max_num_queries(11):
        first = client.get(f"{API}profiles/ana/followers/", {"page_size": 2}).json()
    seen = [row["handle"] for row in first["results"]]
    assert seen == ["fan4", "fan3"] and first["next"]
    with django_assert_max_num_queries(11):
        second = client.get(first["next"]).json()
    seen += [row["handle"] for row in second["results"]]
    third = client.get(second["next"]).json()
    seen += [row["handle"] for row in third["results"]]
    assert seen == ["fan4", "fan3", "fan2", "fan1", "fan0"] and third["next"] is None


def test_the_query_count_of_a_page_does_not_grow_with_its_rows(api_as, ana, ben, django_assert_max_num_queries):
    for i in range(20):
        follow(ana, person(f"star{i}"))
    client = api_as(ben)
    with django_assert_max_num_queries(11):
        body = client.get(f"{API}profiles/ana/following/", {"page_size": 20}).json()
    assert len(body["results"]) == 20


def test_lists_leave_out_people_across_a_block_with_the_viewer(api_as, ana, ben, cat):
    follow(ben, ana)
    follow(cat, ana)
    BlockFactory(blocker=cat, blocked=ben)
    handles = [row["handle"] for row in api_as(ben).get(f"{API}profiles/ana/followers/").json()["results"]]
    assert handles == ["ben"]


def test_a_cursor_that_is_no_cursor_is_not_found(api_as, ana):
    error_of(api_as(ana).get(f"{API}profiles/ana/followers/", {"cursor": "nonsense"}), 404)


# --- Switches ----------------------------------------------------------------------------------


def test_following_an_open_account_then_again_changes_nothing(api_as, ana, ben):
    client = api_as(ben)
    first = client.post(f"{API}profiles/ana/follow/")
    assert first.status_code == 201 and first.json() == {"handle": "ana", "state": "accepted"}
    again = client.post(f"{API}profiles/ana/follow/")
    assert again.status_code == 200
    assert Follow.objects.filter(follower=ben, followee=ana).count() == 1
    assert client.delete(f"{API}profiles/ana/follow/").status_code == 204
    assert client.delete(f"{API}profiles/ana/follow/").status_code == 204
    assert not Follow.objects.exists()


def test_following_a_locked_account_asks(api_as, ana, ben):
    lock(ana)
    body = api_as(ben).post(f"{API}profiles/ana/follow/").json()
    assert body["state"] == "pending"


def test_following_oneself_is_a_conflict_and_anonymous_is_unauthorized(api_as, ana):
    assert error_of(api_as(ana).post(f"{API}profiles/ana/follow/"), 409)["code"] == "self"
    error_of(api_as(None).post(f"{API}profiles/ana/follow/"), 401)
    error_of(api_as(None).post(f"{API}profiles/ana/block/"), 401)
    assert not Follow.objects.exists()


def test_blocking_ends_follows_both_ways_and_can_be_lifted_past_the_block(api_as, ana, ben):
    follow(ana, ben)
    follow(ben, ana)
    client = api_as(ana)
    assert client.post(f"{API}profiles/ben/block/").status_code == 201
    assert client.post(f"{API}profiles/ben/block/").status_code == 200
    assert not Follow.objects.exists() and Block.objects.count() == 1
    error_of(client.post(f"{API}profiles/ben/follow/"), 404)  # hidden across the block
    assert client.delete(f"{API}profiles/ben/block/").status_code == 204
    assert not Block.objects.exists()


def test_blocking_oneself_is_refused_and_changes_nothing(api_as, ana):
    error_of(api_as(ana).post(f"{API}profiles/ana/block/"), 409)
    assert not Block.objects.exists()


def test_muting_is_idempotent_both_ways(api_as, ana, ben):
    client = api_as(ana)
    assert client.post(f"{API}profiles/ben/mute/").status_code == 201
    assert client.post(f"{API}profiles/ben/mute/").status_code == 200
    assert client.get(f"{API}profiles/ben/").json()["relation"]["muting"] is True
    assert client.delete(f"{API}profiles/ben/mute/").status_code == 204
    assert client.delete(f"{API}profiles/ben/mute/").status_code == 204
    assert not Mute.objects.exists()


def test_wrong_methods_are_405(api_as, ana):
    error_of(api_as(ana).put(f"{API}profiles/ana/follow/"), 405)
    error_of(api_as(ana).post(f"{API}profiles/ana/"), 405)


# --- Follow requests ---------------------------------------------------------------------------


def test_the_owner_lists_approves_and_rejects_requests(api_as, ana, ben, cat):
    lock(ana)
    for asker in (ben, cat):
        Follow.objects.create(follower=asker, followee=ana, state=Follow.State.PENDING)
    client = api_as(ana)
    rows = client.get(f"{API}follow-requests/").json()["results"]
    assert [row["person"]["handle"] for row in rows] == ["ben", "cat"]
    assert client.post(f"{API}follow-requests/ben/approve/").json()["state"] == "accepted"
    assert client.post(f"{API}follow-requests/ben/approve/").status_code == 200
    assert client.post(f"{API}follow-requests/cat/reject/").status_code == 204
    assert list(Follow.objects.values_list("follower__social_profile__handle", "state")) == [("ben", "accepted")]


def test_approving_without_a_request_is_a_conflict(api_as, ana, ben):
    assert error_of(api_as(ana).post(f"{API}follow-requests/ben/approve/"), 409)["code"] == "no_request"
    error_of(api_as(None).get(f"{API}follow-requests/"), 401)


# --- One's own profile -------------------------------------------------------------------------


def test_reading_and_changing_ones_settings(api_as, ana, ben):
    lock(ana)
    Follow.objects.create(follower=ben, followee=ana, state=Follow.State.PENDING)
    client = api_as(ana)
    assert client.get(f"{API}me/profile/").json()["locked"] is True
    body = client.patch(
        f"{API}me/profile/",
        {"handle": "Ana_2", "locked": False, "links": [{"url": "https://ana.example"}], "presence_audience": "nobody"},
        format="json",
    ).json()
    assert body == {
        "handle": "Ana_2",
        "links": [{"label": "ana.example", "url": "https://ana.example"}],
        "locked": False,
        "presence_audience": "nobody",
        "header_url": None,
    }
    # Unlocking accepts the requests waiting.
    assert Follow.objects.get(follower=ben).state == Follow.State.ACCEPTED


def test_a_header_comes_as_multipart(api_as, ana):
    response = api_as(ana).patch(f"{API}me/profile/", {"header": image_upload()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["header_url"].startswith("http")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"handle": "admin"}, "handle"),
        ({"handle": "has space"}, "handle"),
        ({"handle": "ben"}, "handle"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links"),
        ({"links": [{"url": f"https://x.example/{i}"} for i in range(5)]}, "links"),
        ({"presence_audience": "martians"}, "presence_audience"),
        ({"locked": "perhaps"}, "locked"),
    ],
)
def test_bad_settings_are_400_naming_the_field_and_change_nothing(api_as, ana, ben, data, field):
    error = error_of(api_as(ana).patch(f"{API}me/profile/", data, format="json"), 400)
    assert any(name.split(".")[0] == field for name in error["fields"]), error
    profile = Profile.objects.get(user=ana)
    assert (profile.handle, profile.links, profile.locked, profile.presence_audience) == ("ana", [], False, "everyone")


def test_a_header_that_is_no_image_is_400(api_as, ana):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    error = error_of(api_as(ana).patch(f"{API}me/profile/", {"header": upload}, format="multipart"), 400)
    assert "header" in error["fields"]
    assert not Profile.objects.get(user=ana).header


def test_a_retried_follow_with_its_idempotency_key_replays_its_answer(api_as, ana, ben):
    client = api_as(ben)
    first = client.post(f"{API}profiles/ana/follow/", HTTP_IDEMPOTENCY_KEY="follow-1")
    again = client.post(f"{API}profiles/ana/follow/", HTTP_IDEMPOTENCY_KEY="follow-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Follow.objects.count() == 1
