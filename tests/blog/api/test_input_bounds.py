"""What no client may send the blog's API to make it fail: bodies nested past the limit, numbers
past what the database stores, ids past 64 bits. Each answers a 4xx in the error shape and
changes nothing; and /api/v1/blog/ itself lists the blog's endpoints."""

from __future__ import annotations

import json

import pytest

from apps.blog.models import Post
from tests.blog.api.support import CATEGORIES, MINE, POSTS, REVIEW, TAGS, action_url, error_of, png
from tests.blog.factories import make_post, paragraph

HUGE = 99999999999999999999  # past a signed 64-bit integer
NESTED = "[" * 1000 + "]" * 1000


def nested_body(**fields: object) -> str:
    """A JSON object of ``fields`` with a key ``z`` holding 1,000 nested lists."""
    return json.dumps(fields)[:-1] + ', "z": ' + NESTED + "}"


def test_a_new_post_with_a_body_nested_a_thousand_deep_is_refused_with_400(api_as, author):
    response = api_as(author).post(POSTS, nested_body(title="Deep"), content_type="application/json")

    assert "nested" in error_of(response, 400)["message"]
    assert not Post.objects.exists()


def test_a_draft_patch_nested_a_thousand_deep_is_refused_with_400_and_saves_nothing(api_as, author):
    post = make_post(author=author)

    response = api_as(author).patch(
        action_url(post.pk, "draft"), nested_body(title="Deep", based_on=1), content_type="application/json"
    )

    error_of(response, 400)
    post.refresh_from_db()
    assert post.latest_revision == 1


def test_a_multipart_body_field_of_json_text_nested_a_thousand_deep_is_refused_with_400(api_as, author):
    response = api_as(author).post(POSTS, {"title": "Deep", "body": NESTED}, format="multipart")

    assert "body" in error_of(response, 400)["fields"]
    assert not Post.objects.exists()


def test_a_cover_larger_than_the_body_limit_still_uploads_beside_small_fields(api_as, author, media_storage, settings):
    settings.API_MAX_BODY_BYTES = 1024
    cover = png()
    assert cover.size > 1024

    response = api_as(author).post(POSTS, {"title": "With a cover", "cover": cover}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["cover"]


def test_an_author_filter_past_64_bits_answers_400_to_anyone(api_as, db):
    response = api_as(None).get(POSTS, {"author": HUGE})

    assert "author" in error_of(response, 400)["fields"]


def test_a_category_id_past_64_bits_in_a_new_post_answers_400_and_creates_nothing(api_as, author):
    response = api_as(author).post(POSTS, {"title": "Big", "categories": [HUGE]}, format="json")

    assert "categories.0" in error_of(response, 400)["fields"]  # the list item, by position
    assert not Post.objects.exists()


@pytest.mark.parametrize("field", ["based_on", "categories"])
def test_a_draft_patch_with_a_number_past_its_range_answers_400_and_saves_nothing(api_as, author, field):
    post = make_post(author=author)
    values = {"based_on": 1, "title": "Changed", field: [HUGE] if field == "categories" else HUGE}

    response = api_as(author).patch(action_url(post.pk, "draft"), values, format="json")

    assert (f"{field}.0" if field == "categories" else field) in error_of(response, 400)["fields"]
    post.refresh_from_db()
    assert post.latest_revision == 1


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_a_revision_number_past_its_range_answers_400(api_as, blog_admin, action):
    post = make_post()

    response = api_as(blog_admin).post(
        action_url(post.pk, action), {"revision": HUGE, "go_live_at": "2099-01-01T00:00:00Z"}, format="json"
    )

    assert "revision" in error_of(response, 400)["fields"]
    post.refresh_from_db()
    assert not post.live and post.go_live_at is None


@pytest.mark.parametrize("action", ["draft", "submit", "publish", "request-changes", "schedule", "unpublish"])
def test_a_post_id_past_64_bits_in_the_path_answers_404(api_as, blog_admin, action):
    client = api_as(blog_admin)
    url = action_url(HUGE, action)

    error_of(client.get(url) if action == "draft" else client.post(url, {}, format="json"), 404)


@pytest.mark.parametrize("page", [{"page": HUGE}, {"page_size": HUGE}, {"page": -HUGE}])
def test_a_page_number_past_64_bits_answers_a_4xx_or_a_page_never_a_500(api_as, db, page):
    make_post(live=True, body=[paragraph("Hello.")])

    response = api_as(None).get(POSTS, page)

    assert response.status_code in (200, 404), response.content


def test_options_of_the_post_list_with_a_jwt_describes_it(api_as, author):
    response = api_as(author).options(POSTS)

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Post List"


def test_the_blog_api_root_links_every_blog_endpoint_a_client_starts_from(api_as, db):
    response = api_as(None).get("/api/v1/blog/")

    assert response.status_code == 200, response.content
    links = response.json()["links"]
    assert {name: url.removeprefix("http://testserver") for name, url in links.items()} == {
        "posts": POSTS,
        "posts_mine": MINE,
        "posts_review": REVIEW,
        "categories": CATEGORIES,
        "tags": TAGS,
    }
    error_of(api_as(None).post("/api/v1/blog/", {}, format="json"), 405)


def test_an_unknown_path_under_the_blog_api_answers_the_json_404(api_as, db, settings):
    settings.DEBUG = True

    error_of(api_as(None).get("/api/v1/blog/nope/"), 404)
