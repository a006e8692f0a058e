"""Acceptance 5 in a real browser: a reader gets a reply to their comment; the bell's count rises
without a reload; the notification links to the reply; marking it read lowers the count; the
worker emails it, and the email's unsubscribe link works signed out."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.core.comments.models import Comment
from apps.core.notifications import selectors
from apps.core.notifications.registry import Email, kind_of
from tests.blog.factories import PostFactory
from tests.browser.test_comments import signed_in
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory
from tests.utils import wait_until

pytestmark = pytest.mark.browser

# The bell hears of a change at once over Redis, within NOTIFICATIONS_POLL_SECONDS otherwise.
LIVE = 10_000


def test_a_reply_rings_the_bell_live_links_to_the_reply_and_is_emailed_with_a_working_unsubscribe(
    open_page, live_server_url, celery_worker
):
    post = PostFactory(live=True, title="Bells and whistles", slug="bells")
    wanda = UserFactory(display_name="Wanda Writer")
    ana = UserFactory(display_name="Ana Replier")
    parent = CommentFactory(target=post, author=wanda, body="What do you think?")
    CommentFactory(target=PostFactory(live=True), author=ana)  # Ana's comments publish at once

    # Wanda chooses email at once for replies, on her preferences page.
    page = signed_in(open_page, live_server_url, wanda)
    page.goto("/notifications/preferences/")
    kind = page.get_by_role("group", name=kind_of("blog.comment_reply").label)
    kind.get_by_label("Email").select_option(Email.INSTANT)
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification choices are saved.")).to_be_visible()

    # She reads the post; the bell shows nothing unread.
    page.goto(post.get_absolute_url())
    page.evaluate("window.loadedOnce = true")
    count = page.locator("#bell-count")
    expect(count).to_be_hidden()
    expect(page.locator("[data-notification-bell]")).to_have_attribute("data-live", "true")  # its socket is open

    # Ana replies on her own page (the notification is written wherever the reply's event is
    # delivered: the server, or a worker).
    ana_page = signed_in(open_page, live_server_url, ana)
    ana_page.goto(post.get_absolute_url())
    ana_page.locator(f"#comment-{parent.pk} > article").get_by_role("link", name="Reply").click()
    ana_page.get_by_label("Your reply to Wanda Writer").fill("I agree with you.")
    ana_page.get_by_role("button", name="Post reply").click()
    expect(ana_page.locator(f"#replies-{parent.pk}").get_by_text("I agree with you.")).to_be_visible()
    reply = Comment.objects.get(parent=parent)

    # The count rises on Wanda's page without a reload.
    expect(count).to_have_text("1", timeout=LIVE)
    expect(count).to_be_visible()
    assert page.evaluate("window.loadedOnce === true")

    # The bell leads to the notification; marking it read in place lowers the count.
    page.locator("[data-notification-bell]").click()
    item = page.locator(".notification").first
    expect(item).to_contain_text("Ana Replier replied to your comment on “Bells and whistles”")
    item.get_by_role("button", name=re.compile("^Mark read")).click()
    expect(count).to_be_hidden()
    expect(page.locator(".notification--unread")).to_have_count(0)
    assert selectors.notification_unread_count(wanda) == 0

    # The notification links to the reply on the post page.
    page.locator(".notification__link").first.click()
    expect(page).to_have_url(re.compile(rf"{post.get_absolute_url()}#comment-{reply.pk}$"))
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("I agree with you.")

    # The worker sent the email; its unsubscribe link works for someone signed out.
    assert wait_until(lambda: any(m.to == [wanda.email] for m in mail.outbox))
    email = next(m for m in mail.outbox if m.to == [wanda.email])
    assert "Ana Replier replied to your comment" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"https?://\S+/notifications/unsubscribe/\S+/", email.body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"

    visitor = open_page()
    visitor.goto(path)
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.get_by_role("status")).to_contain_text("no more emails about replies to your comments")
    assert selectors.preference_for(wanda.pk, kind_of("blog.comment_reply")).email == Email.OFF


def test_the_domain_filter_swaps_the_list_in_place(open_page, live_server_url):
    from apps.core.notifications.services import notify

    wanda, ana = UserFactory(display_name="Wanda Writer"), UserFactory(display_name="Ana Replier")
    notify(
        recipient_id=wanda.pk,
        kind="blog.comment_reply",
        group="comment:1",
        target_url="/blog/",
        target_label="Filtered",
        actor_id=ana.pk,
    )
    page = signed_in(open_page, live_server_url, wanda)
    page.goto("/notifications/")
    page.evaluate("window.loadedOnce = true")

    filters = page.get_by_role("navigation", name="Which notifications")
    filters.get_by_role("link", name="Blog").click()

    expect(page).to_have_url(re.compile(r"/notifications/\?domain=blog$"))
    expect(filters.get_by_role("link", name="Blog")).to_have_attribute("aria-current", "page")
    expect(page.locator(".notification")).to_contain_text("Ana Replier replied to your comment on “Filtered”")
    assert page.evaluate("window.loadedOnce === true")
