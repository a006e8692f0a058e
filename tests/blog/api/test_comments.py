"""Approved comments of a live post through the API: a flat, read-only list of plain text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.blog.services import post_unpublish
from apps.core.comments.models import Comment
from tests.blog.api.support import comments_url, error_of
from tests.blog.factories import make_post

WHO = ["author", "other_author", "blog_admin", "admin", "member", "anonymous"]


def comment(post, author, body="Nice.", *, status=Comment.Status.APPROVED, parent=None, minutes=0):  # type: ignore[no-untyped-def]
    created = timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes)
    return Comment.objects.create(
        target_kind="blog.post",
        target_id=post.pk,
        author=author,
        body=body,
        status=status,
        parent=parent,
        depth=0 if parent is None else parent.depth + 1,
        created_at=created,
    )


@pytest.fixture
def live_post(author, blog_admin):  # type: ignore[no-untyped-def]
    return make_post(author=author, live=True, publisher=blog_admin, slug="talked-about")


def test_approved_comments_come_oldest_first_flat_with_parent_ids(api_as, live_post, member, stranger):
    first = comment(live_post, member, "First!", minutes=1)
    reply = comment(live_post, stranger, "Welcome.", parent=first, minutes=2)
    comment(live_post, stranger, "Buy pills", status=Comment.Status.PENDING, minutes=3)
    comment(live_post, stranger, "Rude", status=Comment.Status.REJECTED, minutes=4)
    comment(live_post, stranger, "Oops", status=Comment.Status.REMOVED, minutes=5)
    comment(make_post(live=True, slug="elsewhere"), member, "Elsewhere", minutes=6)

    response = api_as(None).get(comments_url("talked-about"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(c["id"], c["parent"], c["body"]) for c in body["results"]] == [
        (first.pk, None, "First!"),
        (reply.pk, first.pk, "Welcome."),
    ]
    assert body["results"][0]["author"] == {"id": member.pk, "display_name": "Mia Member"}
    assert body["results"][0].keys() == {"id", "parent", "author", "created_at", "body"}


def test_a_comment_comes_back_as_the_plain_text_it_is(api_as, live_post, member):
    comment(live_post, member, "<img src=x onerror=alert(1)> & <b>bold</b>")

    response = api_as(None).get(comments_url("talked-about"))

    got = response.json()["results"][0]
    assert got["body"] == "<img src=x onerror=alert(1)> & <b>bold</b>"  # text, for clients to escape
    assert response["Content-Type"] == "application/json"
    assert not any("html" in key for key in got)


@pytest.mark.parametrize("who", WHO)
def test_the_comments_of_a_draft_do_not_exist_for_anyone(api_as, people, author, member, who):
    draft = make_post(author=author, slug="not-yet")
    comment(draft, member)

    error = error_of(api_as(people[who]).get(comments_url("not-yet")), 404)

    assert error == error_of(api_as(people[who]).get(comments_url("never-was")), 404)


def test_the_comments_of_an_unpublished_post_are_gone_with_it(api_as, live_post, blog_admin, member):
    comment(live_post, member)
    post_unpublish(post=live_post, publisher=blog_admin)

    error_of(api_as(None).get(comments_url("talked-about")), 404)


@pytest.mark.parametrize("count", [1, 30])
def test_comments_cost_the_same_queries_however_many(api_as, live_post, member, django_assert_num_queries, count):
    for minutes in range(count):
        comment(live_post, member, minutes=minutes)
    client = api_as(None)

    with django_assert_num_queries(3):  # the post's id, the count, the page with authors
        response = client.get(comments_url("talked-about"), {"page_size": 50})

    assert len(response.json()["results"]) == count


def test_comments_page_with_the_projects_paginator(api_as, live_post, member):
    for minutes in range(3):
        comment(live_post, member, f"Comment {minutes}", minutes=minutes)

    page = api_as(None).get(comments_url("talked-about"), {"page_size": 2, "page": 2}).json()

    assert page["count"] == 3 and page["pages"] == 2
    assert [c["body"] for c in page["results"]] == ["Comment 2"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("who", ["member", "blog_admin", "anonymous"])
def test_comments_are_read_only_here(api_as, people, live_post, method, who):
    response = getattr(api_as(people[who]), method)(comments_url("talked-about"), {"body": "Hi"}, format="json")

    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert not Comment.objects.exists()
