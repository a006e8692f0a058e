"""Who reads a post: the one rule (permissions.post_visible_q) on a post's page, on its author's
profile, in the selectors every list uses, and in ``can_see_post``: visibility (public,
followers, mentioned, audience) x reader (visitor, stranger, follower, mentioned, audience member,
blocked, author). Mutes hide in lists and not on a direct view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.social import permissions, selectors
from apps.social.services import posts as services
from tests.core.factories import UserFactory
from tests.social.factories import FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db


def _post(author, visibility):
    kwargs = {"visibility": visibility, "audience": "tests.club:chess" if visibility == "audience" else ""}
    return services.post_create(author=author, text=f"A {visibility} post, hi @mentioned @blocked", **kwargs)


READS = {
    # visibility: readers among the cast (the visitor reads only public posts)
    "public": {"visitor", "stranger", "follower", "mentioned", "member", "author"},
    "followers": {"follower", "author"},
    "mentioned": {"mentioned", "author"},
    "audience": {"member", "author"},
}
READERS = ("visitor", "stranger", "follower", "mentioned", "member", "blocked", "author")


@pytest.mark.parametrize("visibility", list(READS))
@pytest.mark.parametrize("reader", READERS)
def test_a_posts_page_answers_its_readers_and_404s_everyone_else(client, readers, visibility, reader):
    post = _post(readers["author"], visibility)
    if reader != "visitor":
        client.force_login(readers[reader])
    response = client.get(reverse("social:post", args=[post.pk]))
    assert response.status_code == (200 if reader in READS[visibility] else 404)
    user = readers.get(reader)
    assert permissions.can_see_post(user, post) is (reader in READS[visibility])


@pytest.mark.parametrize("visibility", list(READS))
@pytest.mark.parametrize("reader", READERS)
def test_a_profile_lists_only_the_posts_its_visitor_may_read(client, readers, visibility, reader):
    post = _post(readers["author"], visibility)
    if reader != "visitor":
        client.force_login(readers[reader])
    response = client.get(reverse("people:profile", args=["ada"]))
    assert response.status_code == 200
    shown = f'id="post-{post.pk}"' in response.content.decode()
    assert shown is (reader in READS[visibility])


@pytest.mark.parametrize("visibility", list(READS))
@pytest.mark.parametrize("reader", READERS)
def test_the_selectors_filter_by_the_same_rule(readers, visibility, reader):
    post = _post(readers["author"], visibility)
    user = readers.get(reader)
    listed = selectors.posts_visible_to(user).filter(pk=post.pk).exists()
    assert listed is (reader in READS[visibility])
    assert (selectors.post_get_for_user(user, post.pk) is not None) is (reader in READS[visibility])


def test_a_block_hides_the_blockers_posts_from_the_blocked_and_back(readers):
    blocked = readers["blocked"]
    theirs = services.post_create(author=blocked, text="from the blocked side")
    assert not permissions.can_see_post(readers["author"], theirs)
    assert permissions.can_see_post(readers["stranger"], theirs)


def test_the_blocked_see_the_profile_but_none_of_its_posts(client, readers):
    _post(readers["author"], "public")
    client.force_login(readers["blocked"])
    response = client.get(reverse("people:profile", args=["ada"]))
    assert response.status_code == 200
    assert b"A block stands between you" in response.content and b'class="card social-post' not in response.content


def test_a_mute_hides_in_lists_but_not_on_the_posts_page(client, readers):
    post = _post(readers["author"], "public")
    muter = readers["stranger"]
    MuteFactory(muter=muter, muted=readers["author"])
    assert not selectors.posts_visible_to(muter).filter(pk=post.pk).exists()
    client.force_login(muter)
    assert client.get(reverse("social:post", args=[post.pk])).status_code == 200
    assert f'id="post-{post.pk}"'.encode() in client.get(reverse("people:profile", args=["ada"])).content


def test_a_pending_follow_request_reads_no_followers_only_post(readers):
    requester = UserFactory()
    FollowFactory(follower=requester, followee=readers["author"], state="pending")
    post = _post(readers["author"], "followers")
    assert not permissions.can_see_post(requester, post)


def test_a_repost_of_a_post_one_may_not_read_is_not_listed(readers):
    post = _post(readers["author"], "public")
    repost = services.post_repost(user=readers["stranger"], post=post)
    # The blocked person reads the stranger's posts, but not the author's original inside the repost.
    assert permissions.can_see_post(readers["stranger"], repost)
    assert not selectors.posts_visible_to(readers["blocked"]).filter(pk=repost.pk).exists()


def test_a_deleted_post_is_a_tombstone_on_its_page_and_gone_from_lists(client, readers):
    post = _post(readers["author"], "public")
    services.post_delete(actor=readers["author"], post=post)
    response = client.get(reverse("social:post", args=[post.pk]))
    assert response.status_code == 200 and b"This post was deleted." in response.content
    assert b"A public post" not in response.content
    assert not selectors.posts_visible_to(None).filter(pk=post.pk).exists()


def test_a_thread_leaves_out_the_replies_one_may_not_read(client, readers):
    root = _post(readers["author"], "public")
    follower = readers["follower"]
    hidden = services.post_create(author=follower, text="only for my followers", visibility="followers", reply_to=root)
    shown = services.post_create(author=readers["stranger"], text="everyone sees this", reply_to=root)
    thread = [entry.post.pk for entry in selectors.post_thread(readers["mentioned"], root)]
    assert thread == [root.pk, shown.pk]
    assert hidden.pk in [entry.post.pk for entry in selectors.post_thread(follower, root)]


def test_a_reply_whose_parent_is_hidden_opens_as_its_own_thread(client, readers):
    root = _post(readers["author"], "public")
    follower, stranger = readers["follower"], readers["stranger"]
    FollowFactory(follower=stranger, followee=follower)
    FollowFactory(follower=readers["mentioned"], followee=stranger)  # reads the answer, not what it answers
    hidden = services.post_create(author=follower, text="for my followers", visibility="followers", reply_to=root)
    answer = services.post_create(author=stranger, text="answering in public", reply_to=hidden)
    entries = selectors.post_thread(readers["mentioned"], answer)
    assert [(entry.post.pk, entry.focused) for entry in entries] == [(answer.pk, True)]
    client.force_login(readers["mentioned"])
    page = client.get(reverse("social:post", args=[answer.pk])).content.decode()
    assert "answering in public" in page and "for my followers" not in page


def test_a_followers_only_reply_reaches_the_author_it_answers(client, readers):
    # The author follows nobody here: the reply reaches them because it answers their post.
    root = _post(readers["author"], "public")
    answer = services.post_create(
        author=readers["follower"], text="just for you and mine", visibility="followers", reply_to=root
    )
    assert permissions.can_see_post(readers["author"], answer)
    assert answer.pk in [entry.post.pk for entry in selectors.post_thread(readers["author"], root)]
    assert not permissions.can_see_post(readers["stranger"], answer)
    client.force_login(readers["author"])
    assert client.get(reverse("social:post", args=[answer.pk])).status_code == 200
