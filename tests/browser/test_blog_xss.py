"""Stored script in a post's title and body and in a comment never runs: not on the post page,
not in the feed, not in the API's pages. Any script that ran, any handler the CSP blocked and any
request for a planted image would fail the test (the harness fails on every console error)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.core.comments.services import comment_create
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser

TITLE = "<script>window.pwned = 'title'</script>Safe title"
BODY = [
    {"type": "heading", "text": "<img src=x onerror=\"window.pwned='heading'\">Heading", "level": 2},
    {
        "type": "rich_text",
        "html": "<p>Fine words<img src=x onerror=\"window.pwned='body'\"></p><script>window.pwned='body'</script>",
    },
]
COMMENT = (
    "<script>window.pwned='comment'</script> <img src=x onerror=\"window.pwned='comment'\"> javascript:window.pwned=1"
)


def nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []


def test_stored_script_in_a_title_a_body_and_a_comment_never_runs(open_page):
    post = PostFactory(live=True, title=TITLE, slug="safe-title", body=BODY)
    reader = UserFactory(display_name="<b>Mallory</b>")
    CommentFactory(target=PostFactory(live=True), author=reader)  # approved before: hers publish at once
    comment_create(author=reader, target=post, body=COMMENT)
    page = open_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto("/blog/safe-title/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".post__body")).to_contain_text("Fine words")
    expect(page.locator(".comment__content").first).to_contain_text("<script>window.pwned='comment'</script>")
    nothing_ran(page, dialogs)

    api = "/api/v1/blog/posts/safe-title/?format=json"
    for address in (
        "/blog/",
        "/blog/feed/rss/",
        "/blog/feed/atom/",
        api,
        "/api/v1/blog/posts/safe-title/comments/?format=json",
    ):
        page.goto(address)
        nothing_ran(page, dialogs)
    expect(page.locator("body")).to_contain_text("<script>window.pwned='comment'</script>")  # as text
