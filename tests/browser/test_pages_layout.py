"""The public pages and a dashboard as laid out in a real browser: the home's calls to action side
by side, reading typography on a post with its comments in the article's column, and no page
wider than a 390 px phone. Screenshots (light and dark) go under var/screenshots/ for review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from apps.core.comments.models import Comment
from tests.blog.factories import PostFactory
from tests.browser.test_blog import sign_in
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def post(db):
    post = PostFactory(
        live=True,
        title="A post worth reading",
        slug="a-post-worth-reading",
        excerpt="Why reading measure matters.",
    )
    CommentFactory(target=post, author=UserFactory(display_name="Rita Reader"), status=Comment.Status.APPROVED)
    return post


def test_the_home_hero_puts_its_calls_to_action_side_by_side(open_page, post):
    page = open_page(viewport=DESKTOP)
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(settings.SITE_TAGLINE)
    read, register = page.get_by_role("link", name="Read the blog"), page.get_by_role("link", name="Create an account")
    assert read.bounding_box()["y"] == register.bounding_box()["y"]
    expect(page.locator(".post-tile").first).to_contain_text("A post worth reading")


def test_a_post_reads_at_a_comfortable_size_with_its_comments_in_the_article_column(open_page, post):
    page = open_page(viewport=DESKTOP)
    page.goto(f"/blog/{post.slug}/")

    body = page.locator(".post__body")
    size = float(body.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))
    assert 18 <= size <= 20
    article, comments = page.locator("article.post").bounding_box(), page.locator("#comments").bounding_box()
    assert article["x"] == comments["x"] and article["width"] == comments["width"]
    assert article["width"] <= 44 * 16  # about 68 characters of body text


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_is_wider_than_a_phone(open_page, post, scheme):
    UserFactory(email="bea@example.com", roles=["blog_admin"])
    page = open_page(viewport=PHONE, color_scheme=scheme)
    for name, url in (("home", "/"), ("blog", "/blog/"), ("post", f"/blog/{post.slug}/"), ("status", "/status/")):
        page.goto(url)
        shoot(page, f"{name}-390-{scheme}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        if url == "/":  # the two calls to action still share a row on a phone
            read = page.get_by_role("link", name="Read the blog").bounding_box()
            join = page.get_by_role("link", name="Create an account").bounding_box()
            assert read["y"] == join["y"]
    sign_in(page, "bea@example.com")
    page.goto("/dashboard/blog/")
    expect(page.get_by_role("heading", name="Needs your attention")).to_be_visible()
    shoot(page, f"dashboard-390-{scheme}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size(DESKTOP)
    shoot(page, f"dashboard-1280-{scheme}")
    for name, url in (("home", "/"), ("post", f"/blog/{post.slug}/")):
        page.goto(url)
        shoot(page, f"{name}-1280-{scheme}")
    assert re.search(r"/blog/", page.url)
