"""The comment journey in a real browser: a first comment waits, a moderator approves it, two
readers reply to each other in place, and a visitor sees each published comment arrive live."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from apps.core.comments.models import Comment
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser


# Records every Content-Security-Policy violation the page meets (inline styles included).
CSP_WATCH = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.cspViolations.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));"
)


def signed_in(open_page, live_server_url: str, user, **options) -> Page:
    """A page in its own browser context, signed in as ``user`` (the session made here);
    ``options`` go to ``open_page`` (say ``expected_failures``)."""
    client = Client()
    client.force_login(user)
    page = open_page(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server_url}])
    return page


def read_live(page: Page, address: str) -> None:
    """Open the post and wait until its thread's socket is open, so no announcement is missed."""
    page.goto(address)
    expect(page.locator("#comments")).to_have_attribute("data-live", "true")
    page.evaluate("window.loadedOnce = true")  # gone if the page ever reloads


def still_the_same_page(page: Page) -> bool:
    return page.evaluate("window.loadedOnce === true")


def comment_of(page: Page, body: str):
    return page.locator(".comment", has=page.locator(".comment__content", has_text=body)).last


def test_a_first_comment_is_approved_then_readers_reply_in_place_and_a_visitor_sees_it_live(open_page, live_server_url):
    post = PostFactory(live=True, title="Live threads", slug="live-threads")
    ann = UserFactory(display_name="Ann Reader")
    ben = UserFactory(display_name="Ben Reader")
    CommentFactory(target=PostFactory(live=True), author=ben)  # Ben has been approved before
    moderator = UserFactory(display_name="Mo Derator", roles=["blog_admin"])
    address = post.get_absolute_url()

    # Ann's first comment waits for approval: she sees it, marked, without a reload.
    ann_page = signed_in(open_page, live_server_url, ann)
    read_live(ann_page, address)
    ann_page.get_by_label("Add a comment").fill("Ann's first thought\non two lines")
    ann_page.get_by_role("button", name="Post comment").click()
    first = comment_of(ann_page, "Ann's first thought")
    expect(first.get_by_text("Awaiting approval")).to_be_visible()
    expect(ann_page.get_by_label("Add a comment")).to_have_value("")

    # A visitor on the post does not see it yet.
    visitor = open_page()
    read_live(visitor, address)
    expect(visitor.get_by_text("No comments yet.")).to_be_visible()

    # A blog admin finds the queue from the header, filters it to the blog and approves it there:
    # the row and the waiting count change in place, and nothing breaks the CSP on the way.
    desk = signed_in(open_page, live_server_url, moderator)
    desk.add_init_script(CSP_WATCH)
    desk.goto("/dashboard/")
    desk.get_by_role("link", name="Moderation", exact=True).click()
    desk.get_by_role("navigation", name="Which comments").get_by_role("link", name="Blog").click()
    expect(desk).to_have_url(f"{live_server_url}/moderation/?domain=blog")
    expect(desk.locator("#queue-count")).to_have_text("(1)")
    row = desk.locator(".moderation-item", has_text="Ann's first thought")
    row.get_by_role("button", name="Approve").click()
    expect(row.get_by_text("The comment is published.")).to_be_visible()
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)
    expect(desk.locator("#queue-count")).to_have_text("(0)")
    assert desk.evaluate("window.cspViolations") == []

    # The visitor sees it arrive; Ann's copy loses its "awaiting approval" mark.
    expect(comment_of(visitor, "Ann's first thought")).to_be_visible()
    expect(visitor.get_by_text("No comments yet.")).to_be_hidden()
    expect(first.get_by_text("Awaiting approval")).to_have_count(0)

    # Ben replies to Ann under her comment, in place.
    ann_comment = Comment.objects.get(body__startswith="Ann's first thought")
    ben_page = signed_in(open_page, live_server_url, ben)
    read_live(ben_page, address)
    ben_page.locator(f"#comment-{ann_comment.pk} > article").get_by_role("link", name="Reply").click()
    ben_page.get_by_label("Your reply to Ann Reader").fill("Ben agrees with https://example.com/why")
    ben_page.get_by_role("button", name="Post reply").click()
    ben_reply = ben_page.locator(f"#replies-{ann_comment.pk}").get_by_text("Ben agrees with")
    expect(ben_reply).to_be_visible()
    expect(ben_page.get_by_label("Your reply to Ann Reader")).to_have_count(0)
    expect(ben_page.get_by_role("link", name="https://example.com/why")).to_have_attribute(
        "rel", "nofollow ugc noopener"
    )

    # Ann and the visitor see Ben's reply arrive under Ann's comment.
    expect(ann_page.locator(f"#replies-{ann_comment.pk}").get_by_text("Ben agrees with")).to_be_visible()
    expect(visitor.locator(f"#replies-{ann_comment.pk}").get_by_text("Ben agrees with")).to_be_visible()

    # Ann (now approved once) answers Ben's reply: it publishes at once, in place and live.
    ben_comment = Comment.objects.get(body__startswith="Ben agrees")
    ann_page.locator(f"#comment-{ben_comment.pk} > article").get_by_role("link", name="Reply").click()
    ann_page.get_by_label("Your reply to Ben Reader").fill("Thanks, Ben!")
    ann_page.get_by_role("button", name="Post reply").click()
    expect(ann_page.locator(f"#replies-{ben_comment.pk}").get_by_text("Thanks, Ben!")).to_be_visible()
    expect(visitor.locator(f"#replies-{ben_comment.pk}").get_by_text("Thanks, Ben!")).to_be_visible()
    expect(ben_page.locator(f"#replies-{ben_comment.pk}").get_by_text("Thanks, Ben!")).to_be_visible()
    assert ann_page.locator("#comment-" + str(Comment.objects.get(body="Thanks, Ben!").pk)).count() == 1

    # Nobody's page was reloaded along the way.
    for page in (ann_page, ben_page, visitor):
        assert still_the_same_page(page)
    assert Comment.objects.filter(target_id=post.pk, status=Comment.Status.APPROVED).count() == 3


def test_an_author_edits_and_deletes_in_place_and_a_reader_reports(open_page, live_server_url):
    post = PostFactory(live=True, title="Second thoughts", slug="second-thoughts")
    author, reader = UserFactory(display_name="Ed Itor"), UserFactory(display_name="Rae Porter")
    mine = CommentFactory(target=post, author=author, body="Wrods with a typo")
    doomed = CommentFactory(target=post, author=author, body="Regrettable remark")
    address = post.get_absolute_url()

    page = signed_in(open_page, live_server_url, author)
    read_live(page, address)
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete your comment?"
    card = page.locator(f"#comment-{mine.pk}")
    card.get_by_role("link", name="Edit").click()
    card.get_by_role("link", name="Cancel").click()
    # Wait for the form to go: the text is also in its textarea, and an Edit clicked while the
    # Cancel is still on its way gets its form swapped away when the Cancel lands.
    expect(card.locator("form.comment-form")).to_have_count(0)
    expect(card.get_by_text("Wrods with a typo")).to_be_visible()
    card.get_by_role("link", name="Edit").click()
    card.get_by_label("Your comment").fill("Words without a typo")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("form.comment-form")).to_have_count(0)
    expect(card.get_by_text("Words without a typo")).to_be_visible()
    expect(card.get_by_text("(edited)")).to_be_visible()
    card.get_by_role("link", name="Reply").click()
    card.get_by_role("link", name="Cancel").click()
    expect(card.locator("form.comment-form")).to_have_count(0)
    page.locator(f"#comment-{doomed.pk}").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#comment-{doomed.pk}")).to_have_count(0)

    other = signed_in(open_page, live_server_url, reader)
    read_live(other, address)
    other.locator(f"#comment-{mine.pk}").get_by_role("button", name="Report").click()
    expect(other.locator(f"#comment-{mine.pk}").get_by_text("Reported")).to_be_visible()

    assert still_the_same_page(page) and still_the_same_page(other)
    assert Comment.objects.get(pk=mine.pk).flag_count == 1
    assert Comment.objects.get(pk=doomed.pk).deleted_at is not None


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_decision_on_a_comment_gone_meanwhile_is_reported_in_the_page_within_the_csp(
    open_page, live_server_url, live_debug_server_url, debug
):
    # `make run` serves with DEBUG on: there, django-htmx's debug script used to replace the whole
    # queue with Django's error page, whose inline styles the CSP blocks, and the count stayed put.
    base = live_debug_server_url if debug else live_server_url
    post = PostFactory(live=True)
    doomed = CommentFactory(target=post, body="Second thoughts", status=Comment.Status.PENDING)
    CommentFactory(target=post, body="Still waiting", status=Comment.Status.PENDING)
    client = Client()
    client.force_login(UserFactory(roles=["blog_admin"]))
    desk = open_page(base_url=base, expected_failures=(f"/comments/{doomed.pk}/approve/",))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    desk.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    desk.add_init_script(CSP_WATCH)
    desk.goto("/moderation/")
    desk.evaluate("window.loadedOnce = true")
    expect(desk.locator("#queue-count")).to_have_text("(2)")

    Comment.objects.filter(pk=doomed.pk).delete()  # its author took it back while the queue was open
    desk.locator(".moderation-item", has_text="Second thoughts").get_by_role("button", name="Approve").click()

    said = "no longer here" if debug else "Page not found: No such comment."  # Django's debug 404 names no reason
    expect(desk.locator(".message--error")).to_contain_text(said)
    assert still_the_same_page(desk)
    expect(desk.locator(".moderation-item", has_text="Still waiting")).to_be_visible()
    assert desk.evaluate("window.cspViolations") == []
