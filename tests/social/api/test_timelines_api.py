"""The social API's timelines: home (the accounts one follows; anonymous 401), public and a
hashtag's (anyone), each through the pages' own reads: who sees what (visibility, blocks either
way, mutes, unfollows), ``max_id`` cursors stable under new posts, bad cursors 400 JSON, and
query counts flat with the page's length; trending hashtags and whom to follow."""

from __future__ import annotations

import pytest

from apps.social import timelines, trends
from apps.social.models import Follow, Post
from apps.social.services import posts as services
from tests.social.api.conftest import API, error_of
from tests.social.factories import BlockFactory, MuteFactory, PostFactory, follow, person, tag_post

pytestmark = pytest.mark.django_db

HOME, PUBLIC = f"{API}timelines/home/", f"{API}timelines/public/"
V = Post.Visibility


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def cold(user) -> None:
    """Forget ``user``'s stored home, so the next read rebuilds it from the rows."""
    timelines.timeline_store().delete(timelines.home_key(user.pk))


# --- Home --------------------------------------------------------------------------------------


def test_home_shows_the_followed_accounts_posts_and_ones_own(api_as, ana, ben, cat):
    follow(ben, ana)
    theirs = PostFactory(author=ana, visibility=V.FOLLOWERS, text="For followers")
    mine = PostFactory(author=ben, text="Mine")
    PostFactory(author=cat, text="Someone else's")
    body = api_as(ben).get(HOME).json()
    assert [row["id"] for row in body["results"]] == [mine.pk, theirs.pk]
    assert body["results"][1]["text"] == "For followers" and body["next"] is None and body["previous"] is None


def test_home_is_for_the_signed_in(api_as):
    error_of(api_as(None).get(HOME), 401)


def test_home_drops_what_a_block_mute_or_unfollow_hides_on_the_next_read(api_as, ana, ben, cat, dee):
    for author in (ana, cat, dee):
        follow(ben, author)
    posts = {who.pk: PostFactory(author=who) for who in (ana, cat, dee)}
    client = api_as(ben)
    assert sorted(ids(client.get(HOME))) == sorted(post.pk for post in posts.values())
    BlockFactory(blocker=ana, blocked=ben)
    MuteFactory(muter=ben, muted=cat)
    Follow.objects.filter(follower=ben, followee=dee).delete()
    assert ids(client.get(HOME)) == []


def test_a_repost_in_home_carries_its_original(api_as, ana, ben, cat):
    follow(ben, ana)
    original = services.post_create(author=cat, text="Worth it")
    repost = services.post_repost(user=ana, post=original)
    cold(ben)
    row = api_as(ben).get(HOME).json()["results"][0]
    assert row["id"] == repost.pk and row["repost_of"]["id"] == original.pk
    assert row["repost_of"]["text"] == "Worth it"
    # Who cannot read the original does not get the repost either.
    BlockFactory(blocker=cat, blocked=ben)
    assert ids(api_as(ben).get(HOME)) == []


@pytest.fixture
def dee(db):
    return person("dee", display_name="Dee")


# --- Public and hashtags -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "stranger", "blocked", "author"])
def test_the_public_timeline_shows_only_public_live_posts_and_nothing_across_a_block(api_as, ana, ben, who):
    viewer = {"anonymous": None, "stranger": person("stranger"), "blocked": ben, "author": ana}[who]
    BlockFactory(blocker=ana, blocked=ben)
    public = PostFactory(author=ana, text="For all")
    for visibility in (V.FOLLOWERS, V.MENTIONED):
        PostFactory(author=ana, visibility=visibility)
    services.post_delete(actor=ana, post=PostFactory(author=ana))
    expected = [] if who == "blocked" else [public.pk]
    assert ids(api_as(viewer).get(PUBLIC)) == expected


def test_a_hashtags_timeline_whatever_the_case_typed(api_as, ana):
    tagged = PostFactory(author=ana, text="#Raku pots")
    tag_post(tagged, "Raku")
    tag_post(PostFactory(author=ana, visibility=V.FOLLOWERS), "Raku")
    PostFactory(author=ana, text="untagged")
    assert ids(api_as(None).get(f"{API}timelines/tag/RAKU/")) == [tagged.pk]
    assert ids(api_as(None).get(f"{API}timelines/tag/%23raku/")) == [tagged.pk]
    error_of(api_as(None).get(f"{API}timelines/tag/nothing/"), 404)


# --- Cursors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["home", "public", "tag"])
def test_cursor_pages_are_stable_under_new_posts(api_as, ana, ben, which):
    follow(ben, ana)
    address = {"home": HOME, "public": PUBLIC, "tag": f"{API}timelines/tag/clay/"}[which]

    def new_post() -> Post:
        post = PostFactory(author=ana)
        tag_post(post, "clay")
        return post

    made = [new_post() for _ in range(5)]
    client = api_as(ben)
    page = client.get(address, {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    new_post()  # arrives above the first page: the older pages do not shift
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == [post.pk for post in reversed(made)]


@pytest.mark.parametrize(
    "query", [{"max_id": "abc"}, {"max_id": "0"}, {"max_id": str(2**70)}, {"page_size": "0"}, {"page_size": "41"}]
)
@pytest.mark.parametrize("address", [HOME, PUBLIC])
def test_a_bad_cursor_or_page_size_is_a_400_json(api_as, ana, address, query):
    error = error_of(api_as(ana).get(address, query), 400)
    assert set(error["fields"]) == set(query)


@pytest.mark.parametrize("which", ["home", "public", "tag"])
def test_a_timelines_query_count_does_not_grow_with_its_posts(api_as, ana, ben, cat, which):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    follow(ben, ana)
    address = {"home": HOME, "public": PUBLIC, "tag": f"{API}timelines/tag/clay/"}[which]
    client = api_as(ben)

    def crowd(count: int) -> None:
        for i in range(count):
            post = services.post_create(author=ana, text=f"#clay @cat number {i}")
            services.post_like(user=cat, post=post)
            services.post_create(author=cat, text="a reply", reply_to=post)
            if which == "home":
                services.post_repost(user=ana, post=services.post_create(author=cat, text=f"shared {i}"))
        cold(ben)
        client.get(address)  # warm: the stored timeline and the session's caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address, {"page_size": 20}).status_code == 200
        return len(captured)

    crowd(2)
    few = queries()
    crowd(10)
    assert queries() == few <= 30


# --- Trends and suggestions --------------------------------------------------------------------


def test_trending_hashtags_link_to_their_timelines(api_as, ana):
    post = PostFactory(author=ana)
    tag_post(post, "Raku")
    trends.record_post(post)
    body = api_as(None).get(f"{API}trends/").json()
    assert [(row["name"], row["display"]) for row in body] == [("raku", "Raku")]
    assert body[0]["timeline"].endswith("/api/v1/social/timelines/tag/raku/")


def test_suggestions_are_friends_of_friends_for_the_signed_in(api_as, ana, ben, cat):
    follow(ana, ben)
    follow(ben, cat)
    body = api_as(ana).get(f"{API}suggestions/").json()
    assert [row["handle"] for row in body] == ["cat"] and body[0]["relation"]["follow"] is None
    error_of(api_as(None).get(f"{API}suggestions/"), 401)
    error_of(api_as(ana).get(f"{API}suggestions/", {"limit": "500"}), 400)


def test_the_root_links_to_posts_and_timelines(api_as):
    links = api_as(None).get(API).json()["links"]
    assert {"posts", "bookmarks", "home", "public", "trends", "suggestions"} <= set(links)
