"""The live bar in a real browser: posts published while someone reads their home arrive as
"N new posts", and a click loads them without a reload."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from apps.social import timelines
from apps.social.models import Post
from tests.browser.test_comments import signed_in
from tests.core.factories import UserFactory
from tests.social.factories import FollowFactory, PostFactory

pytestmark = pytest.mark.browser

# Pushed at once over Redis; found by the socket's poll (SOCIAL_TIMELINE_POLL_SECONDS) otherwise.
LIVE = 15_000


def publish(**fields) -> Post:
    with transaction.atomic():
        post = PostFactory(**fields)
        timelines.post_published(post.pk)
    return post


def test_new_posts_arrive_as_a_bar_and_load_without_a_reload(open_page, live_server_url, celery_worker):
    author = UserFactory(display_name="Ada Author")
    reader = UserFactory(display_name="Rae Reader")
    FollowFactory(follower=reader, followee=author)
    stranger = UserFactory(display_name="Sam Stranger")
    publish(author=author, text="The first post")

    page = signed_in(open_page, live_server_url, reader)
    page.goto("/social/")
    expect(page.get_by_text("The first post")).to_be_visible()
    page.evaluate("window.loadedOnce = true")  # gone if the page ever reloads
    bar = page.locator("[data-timeline-new]")
    expect(bar).to_be_hidden()

    publish(author=author, text="Fresh from the kiln")
    publish(author=author, text="For followers", visibility=Post.Visibility.FOLLOWERS)
    publish(author=stranger, text="Not followed")

    expect(bar).to_have_text("2 new posts", timeout=LIVE)
    bar.click()
    expect(page.get_by_text("Fresh from the kiln")).to_be_visible()
    expect(page.get_by_text("For followers")).to_be_visible()
    expect(page.get_by_text("Not followed")).to_have_count(0)
    expect(bar).to_be_hidden()
    assert page.evaluate("window.loadedOnce") is True
