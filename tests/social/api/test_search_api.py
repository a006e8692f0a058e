"""GET /api/v1/social/search/?q=&type=: the search page's results as JSON, through the same
selectors: who finds which post, blocks both ways, people and hashtags, pages by number, the
error shape on bad input and a flat query count."""

from __future__ import annotations

import pytest

from apps.social.services import posts as services
from tests.social.api.conftest import API, error_of
from tests.social.factories import BlockFactory, FollowFactory, PostFactory, person, tag_post

pytestmark = pytest.mark.django_db

SEARCH = f"{API}search/"


def _found(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_root_links_to_search(api_as):
    assert api_as(None).get(API).json()["links"]["search"].endswith("/api/v1/social/search/")


def test_anyone_finds_public_posts(api_as, ana):
    post = services.post_create(author=ana, text="Quince jam recipe")
    results = _found(api_as(None).get(SEARCH, {"q": "quin"}))
    assert [row["id"] for row in results] == [post.pk]
    assert results[0]["author"]["handle"] == "ana" and results[0]["text"] == "Quince jam recipe"
    assert results[0]["url"].endswith(f"/social/posts/{post.pk}/")


@pytest.mark.parametrize(
    ("visibility", "readers"),
    [
        ("public", {"anonymous", "stranger", "follower", "mentioned", "author"}),
        ("followers", {"follower", "author"}),
        ("mentioned", {"mentioned", "author"}),
    ],
)
def test_a_post_is_found_only_by_its_readers(api_as, visibility, readers):
    author, stranger, follower, mentioned, blocked = (
        person(handle) for handle in ("author", "stranger", "follower", "mentioned", "blocked")
    )
    FollowFactory(follower=follower, followee=author)
    FollowFactory(follower=blocked, followee=author)
    BlockFactory(blocker=blocked, blocked=author)
    post = services.post_create(author=author, text="quince news for @mentioned", visibility=visibility)
    cast = {"anonymous": None, "stranger": stranger, "follower": follower, "mentioned": mentioned}
    cast.update(blocked=blocked, author=author)
    for name, user in cast.items():
        ids = [row["id"] for row in _found(api_as(user).get(SEARCH, {"q": "quince", "type": "posts"}))]
        assert (post.pk in ids) is (name in readers), name


def test_people_blocked_either_way_are_not_found(api_as, ana, ben, cat):
    BlockFactory(blocker=ana, blocked=ben)
    assert [row["handle"] for row in _found(api_as(None).get(SEARCH, {"q": "ana", "type": "people"}))] == ["ana"]
    assert "ana" not in {row["handle"] for row in _found(api_as(ben).get(SEARCH, {"q": "ana", "type": "people"}))}
    assert "ben" not in {row["handle"] for row in _found(api_as(ana).get(SEARCH, {"q": "ben", "type": "people"}))}
    row = _found(api_as(ben).get(SEARCH, {"q": "cat", "type": "people"}))[0]
    assert row["handle"] == "cat" and set(row["relation"]) == {"self", "follow", "follows_you", "blocking", "muting"}


def test_hashtags_by_prefix_with_their_use(api_as, ana):
    tag_post(PostFactory(author=ana, text="#quinces"), "quinces")
    results = _found(api_as(None).get(SEARCH, {"q": "#quin", "type": "hashtags"}))
    assert results == [
        {"name": "quinces", "display": "quinces", "uses": 1, "url": results[0]["url"]},
    ]
    assert results[0]["url"].endswith("/social/tags/quinces/")


def test_results_come_in_numbered_pages(api_as, ana):
    for i in range(5):
        PostFactory(author=ana, text=f"paged words {i}")
    first = api_as(None).get(SEARCH, {"q": "paged", "page_size": 2}).json()
    assert first["count"] == 5 and first["pages"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert "page=2" in first["next"]


def test_an_empty_query_is_an_empty_page(api_as):
    body = api_as(None).get(SEARCH, {"q": "  "}).json()
    assert body["count"] == 0 and body["results"] == []
    assert api_as(None).get(SEARCH).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 101}, "q"),
        ({"q": " ".join(["w"] * 9)}, "q"),
        ({"q": "x", "type": "everything"}, "type"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, params, field):
    error = error_of(api_as(None).get(SEARCH, params), 400)
    assert field in error["fields"]


@pytest.mark.parametrize("q", ['"', "*", "AND", "-x", "(", "NEAR(", "a:b", "'", "\\", "%_"])
def test_syntax_characters_never_fail(api_as, ana, q):
    PostFactory(author=ana, text="AND or ( here")
    for kind in ("posts", "people", "hashtags"):
        assert api_as(ana).get(SEARCH, {"q": q, "type": kind}).status_code == 200


def test_writes_are_not_allowed(api_as, ana):
    assert api_as(ana).post(SEARCH, {"q": "x"}, format="json").status_code == 405


@pytest.mark.parametrize("kind", ["posts", "people", "hashtags"])
def test_a_page_costs_the_same_queries_whatever_its_length(api_as, ana, kind, django_assert_max_num_queries):
    client = api_as(ana)

    def make(n):
        for i in range(n):
            other = person(f"flat{n}_{i}", display_name=f"Flat {i}")
            tag_post(PostFactory(author=other, text=f"flat #flat{n}{i}"), f"flat{n}{i}")

    make(2)
    client.get(SEARCH, {"q": "flat", "type": kind})
    with django_assert_max_num_queries(30) as few:
        client.get(SEARCH, {"q": "flat", "type": kind})
    make(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_found(client.get(SEARCH, {"q": "flat", "type": kind}))) >= 12
