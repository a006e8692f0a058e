"""Profiles: handles (free ones made from a name, unique whatever the case, reserved words
refused) and the profile page at /@<handle>/ with its counts, tabs and a flat query count."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.social.handles import handle_refusal
from apps.social.models import Profile
from apps.social.services import posts as services
from apps.social.services.profile_settings import Settings, profile_settings_save
from apps.social.services.profiles import profile_ensure
from tests.core.factories import UserFactory
from tests.social.factories import FollowFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_a_profile_is_made_once_with_a_handle_from_the_display_name():
    user = UserFactory(display_name="Zoë Quinn-Smith")
    profile = profile_ensure(user)
    assert profile.handle == "Zoe_Quinn_Smith"
    assert profile_ensure(user).pk == profile.pk and Profile.objects.count() == 1


def test_a_taken_handle_gets_a_number_whatever_its_case():
    ProfileFactory(handle="ada")
    profile = profile_ensure(UserFactory(display_name="ADA"))
    assert profile.handle == "ADA2"


def test_a_reserved_name_never_becomes_a_handle():
    assert profile_ensure(UserFactory(display_name="Admin")).handle.lower() != "admin"
    assert profile_ensure(UserFactory(display_name="", email="support@example.com")).handle.lower() != "support"


@pytest.mark.parametrize("handle", ["admin", "API", "Social", "settings", "me", "null", "root", "staff", "moderator"])
def test_reserved_words_are_refused(handle):
    assert "reserved" in handle_refusal(handle)


@pytest.mark.parametrize("handle", ["", "a b", "x" * 31, "ada!", "<script>"])
def test_malformed_handles_are_refused(handle):
    assert handle_refusal(handle) is not None


def _save(profile, handle, links=()):  # type: ignore[no-untyped-def]
    settings = Settings(handle=handle, locked=False, presence_audience="everyone", links=list(links))
    return profile_settings_save(profile=profile, settings=settings)


def test_changing_to_a_handle_taken_in_another_case_is_refused_and_changes_nothing():
    ProfileFactory(handle="Ada")
    mine = ProfileFactory(handle="bob")
    with pytest.raises(ValidationError):
        _save(mine, "ADA")
    mine.refresh_from_db()
    assert mine.handle == "bob"
    assert _save(mine, "Bobby").handle == "Bobby"


def test_profile_links_must_be_web_addresses():
    mine = ProfileFactory(handle="bob")
    with pytest.raises(ValidationError):
        _save(mine, "bob", [{"label": "x", "url": "javascript:alert(1)"}])
    assert _save(mine, "bob", [{"label": "Site", "url": "https://bob.test"}]).links == [
        {"label": "Site", "url": "https://bob.test"}
    ]


def test_the_profile_page_shows_who_they_are_and_their_counts(client, author, reader, outsider):
    author.bio = "I make <b>pots</b>."
    author.save()
    FollowFactory(follower=reader, followee=author)
    FollowFactory(follower=outsider, followee=author)
    FollowFactory(follower=author, followee=reader)
    FollowFactory(follower=UserFactory(), followee=author, state="pending")
    services.post_create(author=author, text="one")
    services.post_create(author=author, text="two")
    response = client.get(reverse("people:profile", args=["ada"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ada Author" in body and "@ada" in body and "I make &lt;b&gt;pots&lt;/b&gt;." in body
    assert "<strong>2</strong> posts" in body
    assert "<strong>2</strong> followers" in body and "<strong>1</strong> following" in body
    assert "Joined" in body


def test_a_profile_answers_at_its_handle_whatever_the_case(client, author):
    response = client.get("/@ADA/")
    assert response.status_code == 302 and response["Location"] == "/@ada/"


def test_an_unknown_handle_is_404(client):
    assert client.get("/@nobody/").status_code == 404


def test_an_inactive_members_profile_is_404(client, author):
    author.is_active = False
    author.save()
    assert client.get("/@ada/").status_code == 404


def test_the_tabs_show_posts_replies_and_media(client, author, reader):
    from tests.social.test_posts import jpeg_with_gps

    post = services.post_create(author=author, text="a post")
    reply = services.post_create(author=author, text="a reply", reply_to=services.post_create(author=reader, text="q"))
    media = services.post_create(
        author=author, text="a picture", images=[services.ImageInput(jpeg_with_gps(size=(60, 40)), "a dot")]
    )
    pages = {
        tab: client.get(f"/@ada/{tab}/".replace("/posts/", "/")).content.decode()
        for tab in ("posts", "replies", "media")
    }
    assert f'id="post-{post.pk}"' in pages["posts"] and f'id="post-{reply.pk}"' not in pages["posts"]
    assert f'id="post-{reply.pk}"' in pages["replies"] and f'id="post-{post.pk}"' not in pages["replies"]
    assert f'id="post-{media.pk}"' in pages["media"] and f'id="post-{post.pk}"' not in pages["media"]
    assert 'alt="a dot"' in pages["media"]


@pytest.mark.parametrize(("old", "new"), [("posts", "/@ada/"), ("replies", "/@ada/replies/"), ("bogus", "/@ada/")])
def test_the_old_tab_addresses_lead_to_each_tabs_own(client, author, old, new):
    response = client.get(f"/@ADA/?tab={old}&max_id=9")
    assert response.status_code == 302 and response["Location"] == f"{new}?max_id=9"


def _write(author, reader, n: int) -> None:
    """``n`` of each kind a profile lists: posts with a mention and a tag, liked and reposted by
    the reader, an image, and a repost of someone else's post."""
    from tests.social.test_posts import jpeg_with_gps

    for i in range(n):
        post = services.post_create(author=author, text=f"post {i} #tag @rey")
        services.post_like(user=reader, post=post)
        services.post_repost(user=reader, post=post)
        services.post_bookmark(user=reader, post=post)
        image = services.ImageInput(jpeg_with_gps(size=(60, 40)), "dot")
        services.post_create(author=author, text=f"picture {i}", images=[image])
        services.post_repost(user=author, post=services.post_create(author=reader, text=f"theirs {i}"))


def test_the_profile_page_makes_as_many_queries_for_many_posts_as_for_few(
    client, author, reader, django_assert_max_num_queries
):
    client.force_login(reader)
    _write(author, reader, 1)
    client.get("/@ada/")  # the session and the caches warmed
    with django_assert_max_num_queries(40) as few:
        client.get("/@ada/")
    _write(author, reader, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/@ada/")
    assert response.content.decode().count('class="card social-post') == 18


def test_a_post_request_to_a_profile_is_405(client, author):
    assert client.post("/@ada/").status_code == 405
