"""Categories and tags through the API: live post counts, who may add categories, and that a
draft's labels stay private."""

from __future__ import annotations

import pytest

from apps.blog.models import Category
from apps.blog.services import post_unpublish
from tests.blog.api.support import CATEGORIES, TAGS, error_of
from tests.blog.factories import CategoryFactory, TagFactory, make_post

WHO = ["author", "other_author", "blog_admin", "admin", "member", "anonymous"]


def test_categories_come_by_name_with_their_live_post_counts(api_as, author, blog_admin):
    news, howto, empty = CategoryFactory(name="News"), CategoryFactory(name="How to"), CategoryFactory(name="Empty")
    make_post(author=author, live=True, publisher=blog_admin, categories=[news, howto])
    make_post(author=author, live=True, publisher=blog_admin, categories=[news])
    make_post(author=author, categories=[howto])  # a draft counts nowhere
    gone = make_post(author=author, live=True, publisher=blog_admin, categories=[howto])
    post_unpublish(post=gone, publisher=blog_admin)

    response = api_as(None).get(CATEGORIES)

    assert response.status_code == 200
    assert response.json() == [
        {"id": empty.pk, "name": "Empty", "slug": "empty", "description": "", "post_count": 0},
        {"id": howto.pk, "name": "How to", "slug": "how-to", "description": "", "post_count": 1},
        {"id": news.pk, "name": "News", "slug": "news", "description": "", "post_count": 2},
    ]


@pytest.mark.parametrize("count", [1, 12])
def test_categories_cost_one_query_however_many(api_as, author, blog_admin, django_assert_num_queries, count):
    categories = [CategoryFactory() for _ in range(count)]
    for _ in range(3):
        make_post(author=author, live=True, publisher=blog_admin, categories=categories[:5])
    client = api_as(None)

    with django_assert_num_queries(1):
        response = client.get(CATEGORIES)

    assert len(response.json()) == count


@pytest.mark.parametrize(
    ("who", "expected"),
    [("author", 403), ("other_author", 403), ("blog_admin", 201), ("admin", 201), ("member", 403), ("anonymous", 401)],
)
def test_who_may_add_a_category(api_as, people, who, expected):
    response = api_as(people[who]).post(CATEGORIES, {"name": "Release notes", "description": "What's new."})

    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json() == {
            "id": Category.objects.get().pk,
            "name": "Release notes",
            "slug": "release-notes",
            "description": "What's new.",
            "post_count": 0,
        }
    else:
        error_of(response, expected)
        assert not Category.objects.exists()


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "News"}, "name slug"),  # taken, and so is the address made from it
        ({"name": "Other", "slug": "news"}, "slug"),  # taken
        ({"name": "Other", "slug": "not a slug"}, "slug"),
        ({"name": "!!!"}, "name"),  # no letter to make an address from
        ({"name": "x" * 81}, "name"),
    ],
)
def test_a_bad_category_is_a_400_naming_the_field(api_as, blog_admin, news, sent, field):
    response = api_as(blog_admin).post(CATEGORIES, sent, format="json")

    assert sorted(error_of(response, 400)["fields"]) == field.split()
    assert Category.objects.count() == 1


def test_tags_are_those_of_live_posts_with_their_counts(api_as, author, blog_admin):
    django_tag, python_tag = TagFactory(name="Django"), TagFactory(name="Python")
    TagFactory(name="Unused")
    make_post(author=author, live=True, publisher=blog_admin, tags=[django_tag, python_tag])
    make_post(author=author, live=True, publisher=blog_admin, tags=[django_tag])
    # A draft's new tag exists as a row, but says what the author is writing about: not listed.
    make_post(author=author, tags=[TagFactory(name="Secret merger")])

    for user in (None, author, blog_admin):
        body = api_as(user).get(TAGS).json()
        assert body["count"] == 2
        assert body["results"] == [
            {"name": "Django", "slug": "django", "post_count": 2},
            {"name": "Python", "slug": "python", "post_count": 1},
        ]


@pytest.mark.parametrize("count", [1, 30])
def test_tags_cost_the_same_queries_however_many(api_as, author, blog_admin, django_assert_num_queries, count):
    tags = [TagFactory() for _ in range(count)]
    for first in range(0, count, 10):  # at most 10 tags a post
        make_post(author=author, live=True, publisher=blog_admin, tags=tags[first : first + 10])
    client = api_as(None)

    with django_assert_num_queries(2):  # count, page
        response = client.get(TAGS, {"page_size": 50})

    assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("method", "url"),
    [("put", CATEGORIES), ("delete", CATEGORIES), ("post", TAGS), ("delete", TAGS)],
)
def test_wrong_methods_on_terms_are_a_405(api_as, blog_admin, method, url):
    assert error_of(getattr(api_as(blog_admin), method)(url, {}), 405)["code"] == "method_not_allowed"
