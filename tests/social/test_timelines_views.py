"""The timeline pages: who sees what, htmx partials against full pages, cursors, bad input, and
query counts that do not grow with the posts on a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.social import timelines
from apps.social.models import Post
from tests.core.factories import UserFactory
from tests.social.factories import BlockFactory, FollowFactory, PostFactory, tag_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def author(db):
    return UserFactory(display_name="Ada Author")


@pytest.fixture
def reader(author):
    reader = UserFactory(display_name="Rae Reader")
    FollowFactory(follower=reader, followee=author)
    return reader


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response) -> list[int]:
    return [post.pk for post in response.context["posts"]]


# --- Home ----------------------------------------------------------------------------------


def test_a_visitor_asking_for_home_is_sent_to_the_public_timeline(client):
    response = client.get(reverse("social:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("social:public")


def test_home_shows_the_followed_accounts_posts_with_the_live_bar(author, reader):
    post = PostFactory(author=author, text="Hello followers", visibility=Post.Visibility.FOLLOWERS)
    PostFactory(text="Someone else")

    response = signed_in(reader).get(reverse("social:home"))

    assert response.status_code == 200
    assert shown(response) == [post.pk]
    html = response.content.decode()
    assert "Hello followers" in html and "Someone else" not in html
    assert 'data-timeline-live="home"' in html
    assert f'data-newest-id="{post.pk}"' in html
    assert "js/social-timeline.js" in html


def test_htmx_gets_the_timeline_section_and_an_older_page_gets_only_its_entries(author, reader):
    posts = PostFactory.create_batch(25, author=author)
    client = signed_in(reader)

    newest = client.get(reverse("social:home"), **HTMX)
    assert b"<html" not in newest.content
    assert b'id="timeline"' in newest.content
    cursor = newest.context["page"].next_max_id
    assert cursor == posts[5].pk

    older = client.get(reverse("social:home"), {"max_id": cursor}, **HTMX)
    assert b"<html" not in older.content and b'id="timeline"' not in older.content
    assert shown(older) == [post.pk for post in reversed(posts[:5])]
    assert older.context["page"].next_max_id is None


def test_without_javascript_the_older_page_is_a_full_page(author, reader):
    posts = PostFactory.create_batch(3, author=author)

    response = signed_in(reader).get(reverse("social:home"), {"max_id": posts[1].pk})

    assert b"<html" in response.content
    assert shown(response) == [posts[0].pk]
    assert b"data-timeline-live" not in response.content  # what is above it was seen


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "9" * 30, "١٢"])
def test_a_bad_cursor_is_a_400_with_its_reason(reader, cursor):
    response = signed_in(reader).get(reverse("social:home"), {"max_id": cursor})

    assert response.status_code == 400


@pytest.mark.parametrize("name", ["social:home", "social:public", "social:trending"])
def test_the_timeline_pages_refuse_a_post(reader, name):
    assert signed_in(reader).post(reverse(name)).status_code == 405


def test_the_hashtag_page_refuses_a_post(reader):
    tag_post(PostFactory(), "django")

    assert signed_in(reader).post(reverse("social:hashtag", args=["django"])).status_code == 405


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_home_pages_query_count_does_not_grow_with_its_posts(author, reader):
    client = signed_in(reader)
    PostFactory(author=author)
    PostFactory(author=author, repost_of=PostFactory(author=UserFactory()), text="")
    client.get(reverse("social:home"))  # warm the timeline and the chrome
    few = _queries(client, reverse("social:home"))

    for _ in range(10):
        PostFactory(author=author, repost_of=PostFactory(author=UserFactory()), text="")
    timelines.timeline_store().delete(timelines.home_key(reader.pk))
    client.get(reverse("social:home"))

    assert _queries(client, reverse("social:home")) == few


# --- Public --------------------------------------------------------------------------------


def test_the_public_timeline_shows_only_public_undeleted_posts_of_people_not_blocked(author, reader, client):
    public = PostFactory(author=author)
    PostFactory(author=author, visibility=Post.Visibility.FOLLOWERS)
    PostFactory(author=author, visibility=Post.Visibility.MENTIONED)
    PostFactory(author=author, deleted_at=timezone.now())
    PostFactory(author=author, repost_of=public, text="")
    blocker = UserFactory()
    blocked_post = PostFactory(author=blocker)
    BlockFactory(blocker=blocker, blocked=reader)

    assert shown(signed_in(reader).get(reverse("social:public"))) == [public.pk]
    assert shown(client.get(reverse("social:public"))) == [blocked_post.pk, public.pk]


def test_the_public_timelines_query_count_does_not_grow_with_its_posts(reader):
    client = signed_in(reader)
    PostFactory.create_batch(2)
    client.get(reverse("social:public"))
    few = _queries(client, reverse("social:public"))

    PostFactory.create_batch(15)

    assert _queries(client, reverse("social:public")) == few


# --- Hashtags and trends -------------------------------------------------------------------


def test_a_hashtag_page_shows_its_public_posts_whatever_the_case_typed(author, client):
    tagged = PostFactory(author=author)
    tag_post(tagged, "Pottery")
    hidden = PostFactory(author=author, visibility=Post.Visibility.FOLLOWERS)
    tag_post(hidden, "pottery")
    PostFactory(author=author)

    response = client.get(reverse("social:hashtag", args=["POTTERY"]))

    assert response.status_code == 200
    assert shown(response) == [tagged.pk]
    assert "#Pottery" in response.content.decode()


def test_an_unknown_hashtag_is_a_404(client):
    assert client.get(reverse("social:hashtag", args=["nothing"])).status_code == 404


def test_the_hashtag_model_links_to_its_page(db):
    post = PostFactory()
    tag_post(post, "Glaze")

    assert post.hashtags.get().get_absolute_url() == "/social/tags/glaze/"


def test_the_hashtag_pages_query_count_does_not_grow_with_its_posts(client):
    for _ in range(2):
        tag_post(PostFactory(), "kiln")
    url = reverse("social:hashtag", args=["kiln"])
    client.get(url)
    few = _queries(client, url)

    for _ in range(12):
        tag_post(PostFactory(), "kiln")

    assert _queries(client, url) == few


def test_the_trending_page_lists_the_tags_used_lately(client):
    from apps.social import trends

    post = PostFactory()
    tag_post(post, "Raku")
    trends.record_post(post)

    response = client.get(reverse("social:trending"))

    assert response.status_code == 200
    assert "#Raku" in response.content.decode()


def test_the_header_links_signed_in_people_to_their_home(reader):
    response = signed_in(reader).get(reverse("social:public"))

    assert f'href="{reverse("social:home")}"' in response.content.decode()
