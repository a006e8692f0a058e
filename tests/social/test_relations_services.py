"""The relations' services: follows of open and locked accounts, requests approved and rejected,
blocks that end follows both ways, mutes, and profile settings (unlocking accepts the waiting)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.models import OutboxEvent
from apps.core.notifications.models import Notification
from apps.social import relations
from apps.social import selectors_people as people
from apps.social.handles import RESERVED_HANDLES, profile_for
from apps.social.models import Block, Follow, Mute, Profile
from apps.social.services import relations as services
from apps.social.services.profile_settings import Settings, profile_settings_save
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, MuteFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def _person(**fields):
    return ProfileFactory(**fields).user


def _events(name: str) -> list[dict]:
    return list(OutboxEvent.objects.filter(name=name).order_by("pk").values_list("payload", flat=True))


def test_following_an_open_account_is_accepted_at_once_and_tells_them():
    ada, bea = _person(), _person(handle="Bea")
    follow = services.follow_create(follower=ada, followee=bea)
    assert follow.state == Follow.State.ACCEPTED
    assert relations.follows(ada, bea)
    [payload] = _events("social.follow_created")
    assert payload | {"follower_id": ada.pk, "followee_id": bea.pk, "state": "accepted"} == payload
    told = Notification.objects.get(recipient=bea)
    assert told.kind == "social.follow" and told.target_url == "/@Bea/followers/"


def test_following_a_locked_account_makes_a_request_that_its_owner_approves():
    ada, bea = _person(), _person(locked=True)
    follow = services.follow_create(follower=ada, followee=bea)
    assert follow.state == Follow.State.PENDING
    assert not relations.follows(ada, bea)
    assert Notification.objects.get(recipient=bea).kind == "social.follow_request"
    assert list(people.requests_for(bea)) == [follow]

    services.follow_request_approve(owner=bea, follower=ada)
    assert relations.follows(ada, bea)
    assert len(_events("social.follow_accepted")) == 1
    assert not people.requests_for(bea).exists()


def test_a_rejected_request_ends_and_may_be_asked_again():
    ada, bea = _person(), _person(locked=True)
    services.follow_create(follower=ada, followee=bea)
    assert services.follow_request_reject(owner=bea, follower=ada) is True
    assert not Follow.objects.exists()
    assert _events("social.follow_deleted")[0]["reason"] == "rejected"
    assert services.follow_create(follower=ada, followee=bea).state == Follow.State.PENDING


def test_rejecting_leaves_an_accepted_follow_alone_and_approving_nothing_is_refused():
    ada, bea, cy = _person(), _person(), _person(locked=True)
    services.follow_create(follower=ada, followee=bea)
    assert services.follow_request_reject(owner=bea, follower=ada) is False
    assert relations.follows(ada, bea)
    with pytest.raises(ValidationError, match="no request"):
        services.follow_request_approve(owner=cy, follower=ada)


def test_following_twice_changes_nothing_and_publishes_once():
    ada, bea = _person(), _person()
    first = services.follow_create(follower=ada, followee=bea)
    again = services.follow_create(follower=ada, followee=bea)
    assert first.pk == again.pk and Follow.objects.count() == 1
    assert len(_events("social.follow_created")) == 1
    assert Notification.objects.filter(recipient=bea).count() == 1


def test_someone_who_muted_the_follower_is_not_told_of_their_follow():
    ada, bea = _person(), _person()
    MuteFactory(muter=bea, muted=ada)
    services.follow_create(follower=ada, followee=bea)
    assert relations.follows(ada, bea)
    assert not Notification.objects.filter(recipient=bea).exists()


def test_nobody_follows_blocks_or_mutes_themselves_through_the_services():
    ada = _person()
    for call, message in (
        (lambda: services.follow_create(follower=ada, followee=ada), "follow yourself"),
        (lambda: services.block_create(blocker=ada, blocked=ada), "block yourself"),
        (lambda: services.mute_create(muter=ada, muted=ada), "mute yourself"),
    ):
        with pytest.raises(ValidationError, match=message):
            call()
    assert not (Follow.objects.exists() or Block.objects.exists() or Mute.objects.exists())


def test_a_block_either_way_refuses_a_follow_with_a_clear_message():
    ada, bea = _person(), _person()
    BlockFactory(blocker=ada, blocked=bea)
    with pytest.raises(ValidationError, match="You blocked this person: unblock them"):
        services.follow_create(follower=ada, followee=bea)
    with pytest.raises(ValidationError, match="You cannot follow this person"):
        services.follow_create(follower=bea, followee=ada)
    assert not Follow.objects.exists()


def test_a_block_ends_the_follows_and_requests_both_ways():
    ada, bea = _person(locked=True), _person()
    FollowFactory(follower=ada, followee=bea)
    FollowFactory(follower=bea, followee=ada, state=Follow.State.PENDING)
    other = FollowFactory(follower=ada, followee=_person())

    services.block_create(blocker=ada, blocked=bea)

    assert list(Follow.objects.all()) == [other]
    assert relations.blocked_between(bea, ada)
    ended = _events("social.follow_deleted")
    assert {(e["follower_id"], e["followee_id"], e["reason"]) for e in ended} == {
        (ada.pk, bea.pk, "blocked"),
        (bea.pk, ada.pk, "blocked"),
    }
    [block] = _events("social.block_created")
    assert (block["blocker_id"], block["blocked_id"]) == (ada.pk, bea.pk)
    assert block["pair"] == ended[0]["pair"] == f"{min(ada.pk, bea.pk)}:{max(ada.pk, bea.pk)}"


def test_blocking_twice_and_unblocking_what_is_not_blocked_change_nothing():
    ada, bea = _person(), _person()
    services.block_create(blocker=ada, blocked=bea)
    services.block_create(blocker=ada, blocked=bea)
    assert Block.objects.count() == 1 and len(_events("social.block_created")) == 1
    assert services.block_delete(blocker=ada, blocked=bea) is True
    assert services.block_delete(blocker=ada, blocked=bea) is False
    assert len(_events("social.block_deleted")) == 1
    assert not relations.blocked_between(ada, bea)


def test_a_mute_is_one_sided_and_leaves_follows_alone():
    ada, bea = _person(), _person()
    FollowFactory(follower=ada, followee=bea)
    services.mute_create(muter=ada, muted=bea)
    services.mute_create(muter=ada, muted=bea)
    assert relations.muted_ids(ada) == {bea.pk} and relations.muted_ids(bea) == set()
    assert relations.follows(ada, bea)
    assert services.mute_delete(muter=ada, muted=bea) is True
    assert [len(_events(n)) for n in ("social.mute_created", "social.mute_deleted")] == [1, 1]


def test_unfollowing_withdraws_a_request_too():
    ada, bea = _person(), _person(locked=True)
    services.follow_create(follower=ada, followee=bea)
    assert services.follow_delete(follower=ada, followee=bea) is True
    assert services.follow_delete(follower=ada, followee=bea) is False
    assert not Follow.objects.exists()
    assert [e["state"] for e in _events("social.follow_deleted")] == ["pending"]


def test_following_someone_without_a_profile_gives_them_one():
    ada, bea = _person(), UserFactory(display_name="Bea Brown")
    services.follow_create(follower=ada, followee=bea)
    assert Profile.objects.get(user=bea).handle == "Bea_Brown"


def test_a_generated_handle_steps_around_a_taken_or_reserved_one():
    ProfileFactory(handle="admin_x")
    taken = UserFactory(display_name="Bea Brown")
    ProfileFactory(handle="bea_brown")
    assert profile_for(taken).handle == "Bea_Brown2"
    assert profile_for(UserFactory(display_name="Admin")).handle.lower() not in RESERVED_HANDLES


# --- Profile settings --------------------------------------------------------------------------


def _settings(profile: Profile, **changes) -> Settings:
    fields = {
        "handle": profile.handle,
        "locked": profile.locked,
        "presence_audience": profile.presence_audience,
        "links": profile.links,
    }
    return Settings(**(fields | changes))


def _png(size: tuple[int, int] = (40, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("header.png", buffer.getvalue(), content_type="image/png")


def test_unlocking_an_account_accepts_every_waiting_request():
    owner = ProfileFactory(locked=True)
    askers = [_person() for _ in range(3)]
    for asker in askers:
        services.follow_create(follower=asker, followee=owner.user)

    profile_settings_save(profile=owner, settings=_settings(owner, locked=False))

    assert relations.follower_ids(owner.user) == {a.pk for a in askers}
    assert len(_events("social.follow_accepted")) == 3
    owner.refresh_from_db()
    assert owner.locked is False


def test_settings_save_links_handle_presence_and_header():
    profile = ProfileFactory(handle="ada")
    links = [{"label": "", "url": "https://ada.example/"}, {"label": "Code", "url": "http://git.example/ada"}]
    saved = profile_settings_save(
        profile=profile,
        settings=_settings(profile, handle="@Ada_L", links=links, presence_audience="nobody", header=_png()),
    )
    saved.refresh_from_db()
    assert saved.handle == "Ada_L" and saved.presence_audience == "nobody"
    assert saved.links == [{"label": "ada.example", "url": "https://ada.example/"}, links[1]]
    assert saved.header.name.startswith(f"social/headers/{profile.user_id}/") and saved.header.name.endswith(".png")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"handle": "Admin"}, "handle", "reserved"),
        ({"handle": "TAKEN"}, "handle", "taken"),
        ({"handle": "no spaces"}, "handle", "letters, digits or underscores"),
        ({"links": [{"label": "x", "url": "javascript:alert(1)"}]}, "links", "not an http or https address"),
        ({"links": [{"label": "x", "url": "ftp://files.example/"}]}, "links", "not an http or https address"),
        ({"links": [{"label": str(n), "url": f"https://e.example/{n}"} for n in range(5)]}, "links", "At most 4"),
        ({"presence_audience": "friends"}, "presence_audience", "Choose who sees"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(changes, field, message):
    ProfileFactory(handle="taken")
    profile = ProfileFactory(handle="ada", links=[{"label": "Site", "url": "https://ada.example/"}])
    with pytest.raises(ValidationError) as refused:
        profile_settings_save(profile=profile, settings=_settings(profile, locked=True, **changes))
    assert message in " ".join(refused.value.message_dict[field])
    profile.refresh_from_db()
    assert (profile.handle, profile.locked, profile.links) == (
        "ada",
        False,
        [{"label": "Site", "url": "https://ada.example/"}],
    )


def test_an_oversize_or_fake_header_is_refused(settings):
    profile = ProfileFactory()
    fake = SimpleUploadedFile("header.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        profile_settings_save(profile=profile, settings=_settings(profile, header=fake))
    assert "PNG, JPEG, GIF or WebP" in refused.value.message_dict["header"][0]
    big = SimpleUploadedFile("big.png", b"\0" * (5 * 1024 * 1024 + 1), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        profile_settings_save(profile=profile, settings=_settings(profile, header=big))
    assert "at most 5 MB" in refused.value.message_dict["header"][0]
    profile.refresh_from_db()
    assert not profile.header


def test_who_to_follow_ranks_friends_of_friends_and_leaves_out_the_followed_blocked_and_muted():
    me = _person()
    friends = [_person() for _ in range(3)]
    popular, liked, followed, blocked, muted, asked = (_person() for _ in range(6))
    for friend in friends:
        FollowFactory(follower=me, followee=friend)
        for person in (popular, followed, blocked, muted, asked):
            FollowFactory(follower=friend, followee=person)
    FollowFactory(follower=friends[0], followee=liked)
    FollowFactory(follower=me, followee=followed)
    FollowFactory(follower=me, followee=asked, state=Follow.State.PENDING)
    BlockFactory(blocker=blocked, blocked=me)
    MuteFactory(muter=me, muted=muted)
    FollowFactory(follower=friends[1], followee=me)  # oneself is never suggested

    assert people.who_to_follow(me) == [popular, liked]


def test_who_to_follow_makes_as_many_queries_for_many_candidates_as_for_few(django_assert_max_num_queries):
    me, friend = _person(), _person()
    FollowFactory(follower=me, followee=friend)
    for _ in range(2):
        FollowFactory(follower=friend, followee=_person())
    with django_assert_max_num_queries(6) as few:
        assert len(people.who_to_follow(me)) == 2
    for _ in range(10):
        FollowFactory(follower=friend, followee=_person())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(people.who_to_follow(me)) == people.SUGGESTIONS


def test_who_to_follow_also_suggests_people_writing_with_the_same_hashtags():
    from apps.social.models import Hashtag, Post, PostHashtag

    me, writer = _person(), _person()
    tag = Hashtag.objects.create(name="pottery", display="Pottery")
    for author in (me, writer):
        PostHashtag.objects.create(post=Post.objects.create(author=author, text="#pottery"), hashtag=tag)
    assert people.who_to_follow(me) == [writer]
