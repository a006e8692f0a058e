"""The blog's journey in a real browser: an author writes and submits, a blog admin publishes from
the review queue, a visitor finds the post by its category (the list swaps in place), reads it,
comments, and replies to a reply while the thread updates without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.blog.models import Post
from apps.core.comments.models import Comment
from tests.blog.factories import CategoryFactory, PostFactory
from tests.browser.test_comments import comment_of, read_live, signed_in, still_the_same_page
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-42!"


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/dashboard/"))


def test_a_post_goes_from_an_authors_draft_to_a_visitors_screen_and_its_thread(open_page, live_server_url):
    UserFactory(email="writer@example.com", display_name="Wren Writer", roles=["blog_author"])
    UserFactory(email="editor@example.com", roles=["blog_admin"])
    CategoryFactory(name="Field notes", slug="field-notes")
    CategoryFactory(name="Other", slug="other")
    author, reviewer, visitor = open_page(), open_page(), open_page()

    sign_in(author, "writer@example.com")
    author.get_by_role("link", name="Your posts", exact=True).click()
    author.get_by_role("link", name="Write a post").first.click()
    author.get_by_label("Title").fill("Notes from the field")
    author.get_by_label("Excerpt").fill("What we saw <out there>.")
    body = author.get_by_role("textbox", name="Body")
    body.click()
    body.press_sequentially("First paragraph.")
    body.press("Enter")
    body.press_sequentially("Second paragraph.")
    expect(author.get_by_label("Or write plain text")).to_be_hidden()  # the editor is the one place to write
    author.get_by_label("Field notes").check()
    author.get_by_label("Tags").fill("travel, notes")
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_role("status")).to_contain_text("submitted for review")

    visitor.goto("/blog/")
    expect(visitor.get_by_text("Notes from the field")).to_have_count(0)

    sign_in(reviewer, "editor@example.com")
    reviewer.goto("/blog/review/")
    expect(reviewer.get_by_role("link", name="Notes from the field")).to_be_visible()
    reviewer.get_by_role("button", name="Publish revision 1").click()
    expect(reviewer.get_by_role("status")).to_contain_text("is published")

    visitor.reload()
    visitor.get_by_label("Category").select_option("field-notes")
    visitor.wait_for_url(re.compile(r"category=field-notes"))
    expect(visitor.locator("#post-list .post-card")).to_have_count(1)
    visitor.get_by_role("link", name="Notes from the field").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Notes from the field")
    expect(visitor.locator(".post__lead")).to_have_text("What we saw <out there>.")
    expect(visitor.locator(".post__body p")).to_have_text(["First paragraph.", "Second paragraph."])
    expect(visitor.get_by_role("link", name="#travel")).to_be_visible()

    # The visitor signs in to join the conversation: their comment shows at once (they have been
    # approved before), another reader's reply arrives live, and the visitor replies to that reply
    # in place, all without a reload.
    post = Post.objects.get(title="Notes from the field")
    rita = UserFactory(email="rita@example.com", display_name="Rita Reader")
    otto = UserFactory(display_name="Otto Other")
    for regular in (rita, otto):
        CommentFactory(target=PostFactory(live=True), author=regular)
    sign_in(visitor, "rita@example.com")
    read_live(visitor, post.get_absolute_url())
    visitor.get_by_label("Add a comment").fill("Lovely notes.")
    visitor.get_by_role("button", name="Post comment").click()
    expect(comment_of(visitor, "Lovely notes.")).to_be_visible()

    first = Comment.objects.get(body="Lovely notes.")
    other = signed_in(open_page, live_server_url, otto)
    read_live(other, post.get_absolute_url())
    other.locator(f"#comment-{first.pk} > article").get_by_role("link", name="Reply").click()
    other.get_by_label("Your reply to Rita Reader").fill("Which field was it?")
    other.get_by_role("button", name="Post reply").click()
    expect(visitor.locator(f"#replies-{first.pk}").get_by_text("Which field was it?")).to_be_visible()

    reply = Comment.objects.get(body="Which field was it?")
    visitor.locator(f"#comment-{reply.pk} > article").get_by_role("link", name="Reply").click()
    visitor.get_by_label("Your reply to Otto Other").fill("The one by the river.")
    visitor.get_by_role("button", name="Post reply").click()
    expect(visitor.locator(f"#replies-{reply.pk}").get_by_text("The one by the river.")).to_be_visible()
    expect(other.locator(f"#replies-{reply.pk}").get_by_text("The one by the river.")).to_be_visible()
    assert still_the_same_page(visitor) and still_the_same_page(other)


def test_the_lists_pages_swap_in_place_and_keep_the_search(open_page, live_server_url):
    for number in range(12):
        PostFactory(live=True, title=f"Numbered {number:02}")
    visitor = open_page()
    visitor.goto("/blog/?q=Numbered")
    visitor.evaluate("window.loadedOnce = true")  # gone if the page ever reloads

    pages = visitor.get_by_role("navigation", name="Pages of posts")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    pages.get_by_role("link", name="Next").click()

    visitor.wait_for_url(re.compile(r"\?q=Numbered&page=2$"))
    pages = visitor.get_by_role("navigation", name="Pages of posts")
    expect(pages.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    expect(visitor.locator("#post-list .post-card")).to_have_count(2)
    assert still_the_same_page(visitor)
