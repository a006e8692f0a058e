"""The relations' pages: followers and following (open and locked accounts), the relationship
controls (htmx and plain), follow requests, profile settings, blocked and muted, and the member
home's panels. Access matrices, htmx partials, wrong methods, bad input changing nothing, and
query counts that do not grow with the list."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.social import relations
from apps.social.models import Block, Follow, Mute, Profile
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, MuteFactory, ProfileFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def ada():
    return ProfileFactory(handle="Ada", user__display_name="Ada Lovelace")


@pytest.fixture
def locked():
    return ProfileFactory(handle="Lena", locked=True, user__display_name="Lena Locked")


def _followers(profile: Profile, count: int) -> list:
    people = [ProfileFactory().user for _ in range(count)]
    for person in people:
        FollowFactory(follower=person, followee=profile.user)
    return people


# --- Followers and following ---------------------------------------------------------------------


def test_an_open_accounts_followers_show_to_anyone_with_their_counts(client, ada):
    fans = _followers(ada, 3)
    FollowFactory(follower=ada.user, followee=fans[0])
    page = client.get(reverse("people:followers", args=["ada"]))  # any case finds the handle
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 followers" in body and "1 following" in body
    assert all(f"@{fan.social_profile.handle}" in body for fan in fans)
    following = client.get(reverse("people:following", args=["Ada"])).content.decode()
    assert f"@{fans[0].social_profile.handle}" in following and f"@{fans[1].social_profile.handle}" not in following


@pytest.mark.parametrize(("who", "status"), [("anonymous", 403), ("stranger", 403), ("requester", 403),
                                             ("follower", 200), ("owner", 200)])  # fmt: skip
def test_a_locked_accounts_lists_show_only_to_itself_and_its_accepted_followers(client_for, locked, who, status):
    follower, requester, stranger = (ProfileFactory().user for _ in range(3))
    FollowFactory(follower=follower, followee=locked.user)
    FollowFactory(follower=requester, followee=locked.user, state=Follow.State.PENDING)
    viewer = {"anonymous": None, "stranger": stranger, "requester": requester, "follower": follower}.get(
        who, locked.user
    )
    for name in ("people:followers", "people:following"):
        page = client_for(viewer).get(reverse(name, args=[locked.handle]))
        assert page.status_code == status
        if status == 403:
            assert "This account is locked" in page.content.decode()


def test_someone_blocked_either_way_finds_no_lists_and_no_controls(client_for, ada):
    other = ProfileFactory().user
    BlockFactory(blocker=ada.user, blocked=other)
    assert client_for(other).get(reverse("people:followers", args=[ada.handle])).status_code == 404
    follow = client_for(other).post(reverse("people:relationship", args=[ada.handle, "follow"]))
    assert follow.status_code == 404 and not Follow.objects.exists()


def test_lists_leave_out_people_blocked_with_the_viewer(client_for, ada):
    fan, hidden = _followers(ada, 2)
    viewer = ProfileFactory().user
    BlockFactory(blocker=hidden, blocked=viewer)
    body = client_for(viewer).get(reverse("people:followers", args=[ada.handle])).content.decode()
    assert f"@{fan.social_profile.handle}" in body and f"@{hidden.social_profile.handle}" not in body


def test_an_unknown_handle_is_a_404(client):
    assert client.get("/@nobody/followers/").status_code == 404


def test_htmx_gets_the_list_alone_and_a_plain_request_the_page(client, ada):
    _followers(ada, 2)
    url = reverse("people:followers", args=[ada.handle])
    partial = client.get(url, headers=HX).content.decode()
    full = client.get(url).content.decode()
    assert 'id="people-list"' in partial and "<html" not in partial
    assert "<html" in full and 'id="people-list"' in full
    assert client.get(url).headers["Vary"].count("HX-Request") == 1


def test_the_lists_make_as_many_queries_for_many_people_as_for_few(client_for, ada, django_assert_max_num_queries):
    viewer = ProfileFactory().user
    client = client_for(viewer)
    url = reverse("people:followers", args=[ada.handle])
    fans = _followers(ada, 2)
    client.get(url)
    # 14, and the presence policy's fixed few (blocks, audiences, followers-only) for the badges.
    with django_assert_max_num_queries(17) as few:
        client.get(url)
    more = _followers(ada, 20)
    FollowFactory(follower=viewer, followee=fans[0])
    MuteFactory(muter=viewer, muted=more[0])
    BlockFactory(blocker=viewer, blocked=more[1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="cluster" id="relationship-') == 21


@pytest.mark.parametrize("name", ["people:followers", "people:following"])
def test_the_lists_refuse_a_post(client, ada, name):
    assert client.post(reverse(name, args=[ada.handle])).status_code == 405


# --- The relationship controls -----------------------------------------------------------------


@pytest.mark.parametrize("action", ["follow", "unfollow", "block", "unblock", "mute", "unmute"])
def test_a_relationship_control_refuses_a_get_and_sends_the_signed_out_to_sign_in(client, ada, action):
    url = reverse("people:relationship", args=[ada.handle, action])
    assert client.get(url).status_code == 405
    answer = client.post(url)
    assert answer.status_code == 302 and reverse("login") in answer["Location"]
    assert not (Follow.objects.exists() or Block.objects.exists() or Mute.objects.exists())


def test_a_plain_follow_redirects_back_with_a_message(client_for, ada):
    me = ProfileFactory().user
    answer = client_for(me).post(
        reverse("people:relationship", args=[ada.handle, "follow"]), {"next": "/@Ada/following/"}, follow=True
    )
    assert answer.redirect_chain == [("/@Ada/following/", 302)]
    assert "You follow @Ada." in answer.content.decode()
    assert relations.follows(me, ada.user)


def test_a_follow_never_redirects_off_the_site(client_for, ada):
    answer = client_for(ProfileFactory().user).post(
        reverse("people:relationship", args=[ada.handle, "follow"]), {"next": "https://evil.example/"}
    )
    assert answer["Location"] == "/@Ada/"


def test_htmx_controls_swap_to_their_new_state(client_for, locked):
    me = ProfileFactory().user
    client = client_for(me)
    url = reverse("people:relationship", args=[locked.handle, "follow"])
    asked = client.post(url, headers=HX).content.decode()
    assert "<html" not in asked and "You asked to follow @Lena." in asked and "Cancel request" in asked
    cancelled = client.post(reverse("people:relationship", args=[locked.handle, "unfollow"]), headers=HX)
    assert "Request to follow" in cancelled.content.decode()
    muted = client.post(reverse("people:relationship", args=[locked.handle, "mute"]), headers=HX).content.decode()
    assert "Unmute" in muted and relations.muted_ids(me) == {locked.user_id}
    blocked = client.post(reverse("people:relationship", args=[locked.handle, "block"]), headers=HX).content.decode()
    assert "Unblock" in blocked and "Follow" not in blocked
    unblocked = client.post(reverse("people:relationship", args=[locked.handle, "unblock"]), headers=HX)
    assert "Request to follow" in unblocked.content.decode()


def test_following_oneself_is_refused_with_the_reason(client_for, ada):
    answer = client_for(ada.user).post(reverse("people:relationship", args=[ada.handle, "follow"]), headers=HX)
    assert answer.status_code == 422 and "You cannot follow yourself." in answer.content.decode()
    assert not Follow.objects.exists()


def test_the_controls_say_when_someone_follows_you(client_for, ada):
    me = ProfileFactory().user
    FollowFactory(follower=ada.user, followee=me)
    answer = client_for(me).post(reverse("people:relationship", args=[ada.handle, "mute"]), headers=HX)
    assert "Follows you" in answer.content.decode()


# --- Follow requests ---------------------------------------------------------------------------


def test_the_requests_page_lists_whoever_waits_and_sends_the_signed_out_to_sign_in(client, client_for, locked):
    asker = ProfileFactory(handle="Asker").user
    FollowFactory(follower=asker, followee=locked.user, state=Follow.State.PENDING)
    assert client.get(reverse("social:requests"))["Location"].startswith(reverse("login"))
    page = client_for(locked.user).get(reverse("social:requests"))
    assert page.status_code == 200 and "@Asker" in page.content.decode() and "1 waiting" in page.content.decode()
    partial = client_for(locked.user).get(reverse("social:requests"), headers=HX).content.decode()
    assert 'id="requests-list"' in partial and "<html" not in partial


def test_approving_by_htmx_and_rejecting_by_plain_post(client_for, locked):
    first, second = ProfileFactory(handle="First").user, ProfileFactory(handle="Second").user
    for asker in (first, second):
        FollowFactory(follower=asker, followee=locked.user, state=Follow.State.PENDING)
    client = client_for(locked.user)
    approved = client.post(reverse("social:request-decide", args=["First", "approve"]), headers=HX)
    assert approved.status_code == 200 and "@First now follows you." in approved.content.decode()
    rejected = client.post(reverse("social:request-decide", args=["Second", "reject"]))
    assert rejected["Location"] == reverse("social:requests")
    assert relations.follower_ids(locked.user) == {first.pk}
    assert not Follow.objects.filter(follower=second).exists()


def test_nobody_decides_a_request_made_to_someone_else(client_for, locked):
    asker = ProfileFactory(handle="Asker").user
    FollowFactory(follower=asker, followee=locked.user, state=Follow.State.PENDING)
    other = ProfileFactory().user
    answer = client_for(other).post(reverse("social:request-decide", args=["Asker", "approve"]), headers=HX)
    assert answer.status_code == 422
    assert Follow.objects.get(follower=asker).state == Follow.State.PENDING


def test_deciding_refuses_a_get_and_the_signed_out(client, locked):
    url = reverse("social:request-decide", args=[locked.handle, "approve"])
    assert client.get(url).status_code == 405
    assert client.post(url)["Location"].startswith(reverse("login"))


def test_the_requests_page_has_flat_queries(client_for, locked, django_assert_max_num_queries):
    client = client_for(locked.user)
    for _ in range(2):
        FollowFactory(follower=ProfileFactory().user, followee=locked.user, state=Follow.State.PENDING)
    client.get(reverse("social:requests"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("social:requests"))
    for _ in range(15):
        FollowFactory(follower=ProfileFactory().user, followee=locked.user, state=Follow.State.PENDING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("social:requests")).content.decode().count('id="request-') == 17


# --- Profile settings --------------------------------------------------------------------------


def _form(profile: Profile, **changes) -> dict:
    data = {"handle": profile.handle, "presence_audience": profile.presence_audience}
    if profile.locked:
        data["locked"] = "on"
    for n in range(4):
        data[f"link_label_{n}"] = data[f"link_url_{n}"] = ""
    return data | changes


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("wide.png", buffer.getvalue(), content_type="image/png")


def test_profile_settings_need_a_signed_in_member_and_give_a_new_one_a_handle(client, client_for):
    url = reverse("social:settings-profile")
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert client.post(url, {"handle": "x"})["Location"].startswith(reverse("login"))
    newcomer = UserFactory(display_name="Nia New")
    page = client_for(newcomer).get(url)
    assert page.status_code == 200 and 'value="Nia_New"' in page.content.decode()
    assert client_for(newcomer).delete(url).status_code == 405


def test_profile_settings_save_everything_and_unlocking_accepts_requests(client_for, locked):
    asker = ProfileFactory().user
    FollowFactory(follower=asker, followee=locked.user, state=Follow.State.PENDING)
    data = _form(locked, handle="Lena_L", link_label_0="Site", link_url_0="https://lena.example/")
    data.pop("locked")
    data["presence_audience"] = "following"
    data["header"] = _png()
    answer = client_for(locked.user).post(reverse("social:settings-profile"), data)
    assert answer.status_code == 302
    locked.refresh_from_db()
    assert (locked.handle, locked.locked, locked.presence_audience) == ("Lena_L", False, "following")
    assert locked.links == [{"label": "Site", "url": "https://lena.example/"}] and locked.header
    assert relations.follows(asker, locked.user)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"link_url_0": "javascript:alert(1)"}, "is not an http or https address"),
        ({"handle": "settings"}, "That handle is reserved"),
        ({"handle": "ADA"}, "That handle is taken"),
        ({"handle": "bad handle!"}, "letters, digits or underscores"),
        ({"presence_audience": "friends"}, "Select a valid choice"),
        ({"header": SimpleUploadedFile("h.png", b"\x89PNG" + b"\0" * (5 * 1024 * 1024), "image/png")}, "at most 5 MB"),
        ({"header": SimpleUploadedFile("h.png", b"plain text", "image/png")}, "PNG, JPEG, GIF or WebP"),
    ],
)
def test_bad_profile_settings_answer_400_with_the_reason_and_change_nothing(client_for, ada, changes, message):
    old = [{"label": "Old", "url": "https://old.example/"}]
    me = ProfileFactory(handle="me", links=old)
    answer = client_for(me.user).post(reverse("social:settings-profile"), _form(me, locked="on", **changes))
    assert answer.status_code == 400
    assert message in answer.content.decode().replace("&#x27;", "'")
    me.refresh_from_db()
    assert (me.handle, me.locked, me.links, me.header.name) == ("me", False, old, "")


# --- Blocked and muted -------------------------------------------------------------------------


def test_the_blocked_page_lists_both_with_their_undo(client, client_for, ada):
    me = ProfileFactory().user
    BlockFactory(blocker=me, blocked=ada.user)
    hushed = ProfileFactory(handle="Hushed").user
    MuteFactory(muter=me, muted=hushed)
    assert client.get(reverse("social:settings-blocked"))["Location"].startswith(reverse("login"))
    body = client_for(me).get(reverse("social:settings-blocked")).content.decode()
    assert "Blocked (1)" in body and "Muted (1)" in body and "Unblock" in body and "Unmute" in body
    client_for(me).post(reverse("people:relationship", args=["Hushed", "unmute"]), headers=HX)
    client_for(me).post(reverse("people:relationship", args=["Ada", "unblock"]), headers=HX)
    assert not Block.objects.exists() and not Mute.objects.exists()
    assert client_for(me).post(reverse("social:settings-blocked")).status_code == 405


# --- The member's home -------------------------------------------------------------------------


def test_the_member_home_suggests_friends_of_friends_and_shows_waiting_requests(client_for, locked):
    friend, suggestion = ProfileFactory().user, ProfileFactory(handle="Suggested").user
    FollowFactory(follower=locked.user, followee=friend)
    FollowFactory(follower=friend, followee=suggestion)
    FollowFactory(follower=ProfileFactory(handle="Waiting").user, followee=locked.user, state=Follow.State.PENDING)
    body = client_for(locked.user).get(reverse("dashboard-page", args=["member"])).content.decode()
    assert "Who to follow" in body and "@Suggested" in body
    assert "Follow requests" in body and "@Waiting" in body
