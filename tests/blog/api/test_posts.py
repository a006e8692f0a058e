"""Reading posts through the API: the live list with its filters, one live post, what is cached,
and that drafts never show, whoever asks and however."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.blog.models import Post
from apps.blog.services import PostInput, post_create, post_publish, post_unpublish, post_update
from apps.core.accounts.services import profile_update
from apps.core.publishing.services import preview_token
from tests.blog.api.support import POSTS, error_of, png, post_url
from tests.blog.factories import CategoryFactory, TagFactory, make_post, paragraph

LIST_ITEM_KEYS = {
    "id",
    "title",
    "slug",
    "url",
    "excerpt",
    "cover",
    "author",
    "categories",
    "tags",
    "reading_time",
    "published_at",
    "updated_at",
}


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def slugs(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [post["slug"] for post in response.json()["results"]]


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_live_posts_newest_first_with_authors_and_terms(api, author, blog_admin, news, django_tag):
    older = make_post(author=author, live=True, publisher=blog_admin, slug="older")
    newer = make_post(
        author=author, live=True, publisher=blog_admin, slug="newer", categories=[news], tags=[django_tag]
    )

    response = api.get(POSTS)

    assert slugs(response) == ["newer", "older"]
    body = response.json()
    assert body["count"] == 2 and body["pages"] == 1 and body["next"] is None
    first = body["results"][0]
    assert first.keys() == LIST_ITEM_KEYS
    assert first["id"] == newer.pk and first["url"].endswith("/blog/newer/")
    assert first["author"] == {"id": author.pk, "display_name": "Art Author"}
    assert first["categories"] == [{"id": news.pk, "name": "News", "slug": "news"}]
    assert first["tags"] == [{"name": "Django", "slug": "django"}]
    assert first["cover"] is None and first["reading_time"] == 1
    assert older.pk == body["results"][1]["id"]


def test_drafts_and_unpublished_posts_are_not_listed_for_anyone(api_as, people, author, blog_admin):
    make_post(author=author, live=True, publisher=blog_admin, slug="live")
    make_post(author=author, slug="draft")
    taken_down = make_post(author=author, live=True, publisher=blog_admin, slug="taken-down")
    post_unpublish(post=taken_down, publisher=blog_admin)

    for who, user in people.items():
        assert slugs(api_as(user).get(POSTS)) == ["live"], who


def test_no_parameter_reaches_a_draft(api_as, author, blog_admin):
    secret = CategoryFactory(name="Secret", slug="secret")
    hidden = TagFactory(name="Hidden", slug="hidden")
    make_post(author=author, slug="plans", title="Our secret plans", categories=[secret], tags=[hidden])
    # A live post whose newer draft mentions the same words: visitors get its published words only.
    live = make_post(author=author, live=True, publisher=blog_admin, slug="public", title="Public")
    post_update(
        post=live,
        editor=author,
        data=PostInput(title="Secret plans", body=[paragraph("x")], slug="public", tag_names=("Hidden",)),
        based_on=live.latest_revision,
    )

    for client in (api_as(None), api_as(author), api_as(blog_admin)):
        for params in (
            {"q": "secret"},
            {"q": "plans"},
            {"category": "secret"},
            {"tag": "hidden"},
            {"author": author.pk},
            {"author": author.pk, "q": "secret"},
            {"status": "draft"},
            {"live": "false"},
        ):
            assert "plans" not in slugs(client.get(POSTS, params)), params
        assert slugs(client.get(POSTS, {"q": "secret"})) == []


def test_the_list_narrows_to_a_category_a_tag_an_author_or_words(api, author, other_author, blog_admin):
    news, howto = CategoryFactory(name="News"), CategoryFactory(name="How to")
    django_tag, python_tag = TagFactory(name="Django"), TagFactory(name="Python")
    publish = {"live": True, "publisher": blog_admin}
    make_post(author=author, slug="a", title="Django 6 is out", categories=[news], tags=[django_tag], **publish)
    make_post(author=author, slug="b", title="Testing views", excerpt="With pytest", categories=[howto], **publish)
    make_post(author=other_author, slug="c", title="Typing tips", categories=[howto], tags=[python_tag], **publish)

    assert slugs(api.get(POSTS, {"category": "news"})) == ["a"]
    assert slugs(api.get(POSTS, {"category": "how-to"})) == ["c", "b"]
    assert slugs(api.get(POSTS, {"tag": "python"})) == ["c"]
    assert slugs(api.get(POSTS, {"author": other_author.pk})) == ["c"]
    assert slugs(api.get(POSTS, {"category": "how-to", "author": author.pk})) == ["b"]
    assert slugs(api.get(POSTS, {"q": "PYTEST"})) == ["b"]  # the excerpt, whatever the case
    assert slugs(api.get(POSTS, {"q": "django out"})) == ["a"]  # every word
    assert slugs(api.get(POSTS, {"q": "django typing"})) == []
    assert slugs(api.get(POSTS, {"category": "nothing-here"})) == []


def test_a_malformed_filter_is_a_400_naming_the_fields(api):
    error = error_of(api.get(POSTS, {"author": "someone", "category": "not a slug!", "q": "x" * 101}), 400)

    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"author", "category", "q"}


def test_the_list_pages_with_the_projects_paginator(api, author, blog_admin):
    for number in range(5):
        make_post(author=author, live=True, publisher=blog_admin, slug=f"post-{number}")

    first = api.get(POSTS, {"page_size": 2}).json()
    last = api.get(POSTS, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5 and first["pages"] == 3
    assert [p["slug"] for p in first["results"]] == ["post-4", "post-3"]
    assert first["next"].endswith("/api/v1/blog/posts/?page=2&page_size=2") and first["previous"] is None
    assert [p["slug"] for p in last["results"]] == ["post-0"] and last["next"] is None
    assert error_of(api.get(POSTS, {"page": 9}), 404)["code"] == "not_found"
    assert error_of(api.get(POSTS, {"page": "last-but-one"}), 404)["code"] == "not_found"


def _publish_many(count: int, *, author, blog_admin) -> None:  # type: ignore[no-untyped-def]
    categories = [CategoryFactory() for _ in range(3)]
    tags = [TagFactory() for _ in range(4)]
    for _ in range(count):
        make_post(author=author, live=True, publisher=blog_admin, categories=categories, tags=tags)


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_costs_the_same_queries_for_one_post_or_a_full_page(
    api, author, blog_admin, django_assert_num_queries, count
):
    _publish_many(count, author=author, blog_admin=blog_admin)

    # Count, posts with their authors, categories, tags: whatever the number of posts and terms.
    with django_assert_num_queries(4):
        response = api.get(POSTS)

    assert len(response.json()["results"]) == min(count, 20)
    assert all(len(p["tags"]) == 4 and len(p["categories"]) == 3 for p in response.json()["results"])


def test_a_cached_page_costs_no_query_and_a_search_is_never_cached(api, author, blog_admin, django_assert_num_queries):
    _publish_many(3, author=author, blog_admin=blog_admin)
    first = api.get(POSTS, {"page_size": 2})

    with django_assert_num_queries(0):
        again = api.get(POSTS, {"page_size": 2})
    for uncached in ({"q": "post"}, {"page_size": "02"}, {"page_size": ["2", "2"]}, {"page_size": 2, "utm": "x"}):
        for _ in range(2):
            with django_assert_num_queries(4):
                api.get(POSTS, uncached)

    assert again.content == first.content
    assert again["Content-Type"] == "application/json"


def test_a_publication_shows_in_the_cached_list_at_once(api, author, blog_admin, django_capture_on_commit_callbacks):
    make_post(author=author, live=True, publisher=blog_admin, slug="first")
    draft = make_post(author=author, slug="second")
    assert slugs(api.get(POSTS)) == ["first"]
    assert error_of(api.get(post_url("second")), 404)

    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=draft, publisher=blog_admin)
    assert slugs(api.get(POSTS)) == ["second", "first"]
    assert api.get(post_url("second")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        post_unpublish(post=draft, publisher=blog_admin)
    assert slugs(api.get(POSTS)) == ["first"]
    assert error_of(api.get(post_url("second")), 404)


def test_a_republished_edit_shows_in_the_cached_post_at_once(
    api, author, blog_admin, django_capture_on_commit_callbacks
):
    post = make_post(author=author, live=True, publisher=blog_admin, slug="story", title="Before")
    assert api.get(post_url("story")).json()["title"] == "Before"
    post_update(
        post=post,
        editor=author,
        data=PostInput(title="After", body=[paragraph("New words.")], slug="story"),
        based_on=post.latest_revision,
    )
    assert api.get(post_url("story")).json()["title"] == "Before"  # a draft changes nothing public

    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=post, publisher=blog_admin)

    assert api.get(post_url("story")).json()["title"] == "After"
    assert api.get(POSTS).json()["results"][0]["title"] == "After"


def test_an_authors_new_display_name_shows_in_the_cached_list_and_post_at_once(
    api, author, blog_admin, django_capture_on_commit_callbacks
):
    make_post(author=author, live=True, publisher=blog_admin, slug="byline")
    assert api.get(POSTS).json()["results"][0]["author"]["display_name"] == "Art Author"
    assert api.get(post_url("byline")).json()["author"]["display_name"] == "Art Author"  # both cached now

    with django_capture_on_commit_callbacks(execute=True):
        profile_update(user=author, display_name="Ada Author", bio="")

    assert api.get(POSTS).json()["results"][0]["author"]["display_name"] == "Ada Author"
    assert api.get(post_url("byline")).json()["author"]["display_name"] == "Ada Author"


def test_the_api_answers_straight_from_sql_when_the_cache_is_down(api, author, blog_admin, settings):
    make_post(author=author, live=True, publisher=blog_admin, slug="uncached")
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    settings.PAGE_CACHE_ALIAS = "down"  # the page cache is down; throttling's cache is not

    assert slugs(api.get(POSTS)) == ["uncached"]
    assert api.get(post_url("uncached")).json()["slug"] == "uncached"


def test_the_browsable_api_shows_a_cached_page_too(author, blog_admin):
    make_post(author=author, live=True, publisher=blog_admin, slug="shown")
    client = Client()
    client.get(POSTS)  # cached as JSON

    response = client.get(POSTS, HTTP_ACCEPT="text/html")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "shown" in response.content.decode()


# --- One post ----------------------------------------------------------------------------------------


def test_a_live_post_has_its_body_cover_terms_author_and_seo_fields(
    api, author, blog_admin, news, django_tag, media_storage
):
    body = [
        {"type": "heading", "text": "Intro", "level": 2},
        paragraph("Some <strong>bold</strong> words."),
    ]
    data = PostInput(
        title="A post",
        slug="a-post",
        body=body,
        excerpt="In short.",
        cover_alt="A blue square",
        category_ids=(news.pk,),
        tag_names=("Django",),
    )
    post = post_create(author=author, data=data, cover=png(size=(1200, 600)))
    post_publish(post=post, publisher=blog_admin)

    response = api.get(post_url("a-post"))

    assert response.status_code == 200
    got = response.json()
    assert got["title"] == "A post" and got["excerpt"] == "In short."
    assert [block["type"] for block in got["body"]] == ["heading", "rich_text"]
    assert "<h2" in got["body_html"] and "<strong>bold</strong>" in got["body_html"]
    assert got["categories"] == [{"id": news.pk, "name": "News", "slug": "news"}]
    assert got["tags"] == [{"name": "Django", "slug": "django"}]
    assert got["author"] == {"id": author.pk, "display_name": "Art Author"}
    assert got["reading_time"] == 1 and got["published_at"] and got["updated_at"]
    assert got["cover"]["alt"] == "A blue square"
    widths = [(r["width"], r["height"]) for r in got["cover"]["renditions"]]
    assert widths == [(480, 240), (960, 480), (1200, 600)]
    assert all(r["url"].startswith("http://") and r["url"].endswith(".webp") for r in got["cover"]["renditions"])
    assert got["url"] == got["seo"]["canonical_url"] and got["url"].endswith("/blog/a-post/")
    assert got["seo"] == {
        "title": "A post",
        "description": "In short.",  # no description for search engines: the excerpt
        "canonical_url": got["url"],
        "image": got["cover"]["renditions"][-1]["url"],
    }


def test_the_canonical_url_is_the_sites_whichever_host_was_asked(api, author, blog_admin, settings):
    settings.SITE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = ["other.example.org"]
    make_post(author=author, live=True, publisher=blog_admin, slug="here", seo_description="For search engines.")

    got = api.get(post_url("here"), HTTP_HOST="other.example.org").json()

    assert got["url"] == "https://blog.example.org/blog/here/"
    assert got["seo"]["description"] == "For search engines."


@pytest.mark.parametrize("who", ["author", "other_author", "blog_admin", "admin", "member", "anonymous"])
def test_a_draft_is_a_404_to_everyone_at_its_public_address(api_as, people, author, who):
    make_post(author=author, slug="unpublished")

    error = error_of(api_as(people[who]).get(post_url("unpublished")), 404)

    assert error == error_of(api_as(people[who]).get(post_url("never-existed")), 404)


def test_a_post_costs_three_queries_then_none(api, author, blog_admin, django_assert_num_queries):
    categories, tags = [CategoryFactory() for _ in range(3)], [TagFactory() for _ in range(5)]
    make_post(author=author, live=True, publisher=blog_admin, slug="full", categories=categories, tags=tags)

    with django_assert_num_queries(3):  # the post with its author, its categories, its tags
        first = api.get(post_url("full"))
    with django_assert_num_queries(0):
        again = api.get(post_url("full"))

    assert first.content == again.content and len(first.json()["tags"]) == 5


def test_script_in_a_title_and_a_handler_in_the_body_come_back_as_inert_json(api_as, author, blog_admin):
    created = api_as(author).post(
        POSTS,
        {
            "title": "<script>alert(1)</script>",
            "slug": "xss",
            "body": [
                {"type": "rich_text", "html": '<p>Hi <img src=x onerror=alert(1)><a href="javascript:x">l</a></p>'}
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    post_publish(post=Post.objects.get(slug="xss"), publisher=blog_admin)

    response = api_as(None).get(post_url("xss"))

    assert response["Content-Type"] == "application/json"
    got = response.json()
    assert got["title"] == "<script>alert(1)</script>"  # the text as given; JSON carries it as a string
    assert "onerror" not in got["body_html"] and "<img" not in got["body_html"]
    assert "javascript:" not in got["body_html"] and "<p>Hi" in got["body_html"]
    assert "onerror" not in response.content.decode() and "javascript:" not in response.content.decode()
    listed = api_as(None).get(POSTS).json()["results"][0]
    assert listed["title"] == "<script>alert(1)</script>"


def test_body_html_is_sanitised_even_for_a_body_stored_around_the_services(api, author, blog_admin):
    post = make_post(author=author, live=True, publisher=blog_admin, slug="old")
    Post.objects.filter(pk=post.pk).update(body=[{"type": "rich_text", "id": "b1", "html": "<p onclick=x()>Hi</p>"}])

    got = api.get(post_url("old")).json()

    assert "onclick" not in got["body_html"] and "<p>Hi</p>" in got["body_html"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_post_is_read_only_at_its_public_address(api_as, people, author, blog_admin, method):
    make_post(author=author, live=True, publisher=blog_admin, slug="fixed")

    response = getattr(api_as(blog_admin), method)(post_url("fixed"), {}, format="json")

    assert error_of(response, 405)["code"] == "method_not_allowed"


def test_an_editors_preview_token_shows_the_draft_to_them_only_and_uncached(
    api_as, author, other_author, blog_admin, news
):
    post = make_post(author=author, slug="coming", title="Coming soon", categories=[news])
    token = preview_token(obj=post, revision=post.latest_revision, user=author)

    response = api_as(author).get(post_url("coming"), {"preview": token})

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Coming soon"
    assert response.json()["categories"] == [{"id": news.pk, "name": "News", "slug": "news"}]
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"
    for stranger in (api_as(other_author), api_as(None)):
        assert error_of(stranger.get(post_url("coming"), {"preview": token}), 403)
    assert error_of(api_as(author).get(post_url("coming")), 404)  # without the token: not live
