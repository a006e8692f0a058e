"""The blog's pages with numbers no row could have, in the query string or the path: a page
(or a 404), never a 500."""

from __future__ import annotations

import pytest

from tests.blog.factories import make_post

HUGE = "99999999999999999999"  # past a signed 64-bit integer


def test_the_blog_list_with_huge_numbers_in_its_query_string_still_answers(client, db):
    make_post(live=True)

    response = client.get("/blog/", {"author": HUGE, "page": HUGE, "category": HUGE, "tag": HUGE})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/blog/author/{HUGE}/",
        f"/blog/author/{HUGE}/?page={HUGE}",
        f"/blog/posts/{HUGE}/edit/",
        f"/blog/posts/{HUGE}/preview/",
        f"/blog/comments/{HUGE}/",
        f"/blog/comments/{HUGE}/edit/",
    ],
)
def test_a_page_with_an_id_past_64_bits_in_its_path_is_not_found(client, blog_admin, path):
    client.force_login(blog_admin)

    assert client.get(path).status_code == 404


def test_an_author_page_with_a_huge_page_number_shows_the_last_page(client, author):
    make_post(author=author, live=True)

    response = client.get(f"/blog/author/{author.pk}/", {"page": HUGE})

    assert response.status_code == 200
