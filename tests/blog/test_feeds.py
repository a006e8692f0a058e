"""RSS and Atom feeds of the blog, its categories and tags; the sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from apps.blog import services
from apps.core.models import SitePage
from apps.core.publishing import services as publishing
from tests.blog.factories import TagFactory, make_post

ATOM = "{http://www.w3.org/2005/Atom}"


def xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (the platform's own output, in a test)


@pytest.fixture
def live(author, blog_admin, news, django_tag):
    return make_post(
        author=author,
        live=True,
        publisher=blog_admin,
        title="Feed me",
        slug="feed-me",
        excerpt="Short & sweet",
        categories=[news],
        tags=[django_tag],
    )


@pytest.fixture
def draft(author):
    return make_post(author=author, title="Unfinished thoughts", slug="unfinished")


def rss_items(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    channel = xml(response.content).find("channel")
    return [
        {child.tag: child.text or "" for child in item} | {"categories": [c.text for c in item.findall("category")]}
        for item in channel.findall("item")
    ]


def test_the_rss_feed_lists_live_posts_with_their_details(client, live, draft):
    (item,) = rss_items(client, "/blog/feed/rss/")

    assert item["title"] == "Feed me" and item["link"] == "http://testserver/blog/feed-me/"
    assert item["description"] == "<p>Short &amp; sweet</p>"  # HTML in RSS: the excerpt's Markdown rendered
    assert item["categories"] == ["News", "Django"] and item["pubDate"]


def test_the_atom_feed_lists_live_posts(client, live, draft):
    response = client.get("/blog/feed/atom/")
    feed = xml(response.content)

    entries = feed.findall(f"{ATOM}entry")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Feed me"]
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Art Author"
    assert b"Unfinished thoughts" not in response.content


def test_category_and_tag_feeds_hold_only_their_posts(client, live, author, blog_admin):
    make_post(author=author, live=True, publisher=blog_admin, title="Elsewhere")

    for url in ("/blog/category/news/feed/rss/", "/blog/tag/django/feed/rss/"):
        assert [item["title"] for item in rss_items(client, url)] == ["Feed me"], url
    for url in ("/blog/category/news/feed/atom/", "/blog/tag/django/feed/atom/"):
        assert b"Feed me" in client.get(url).content and b"Elsewhere" not in client.get(url).content
    assert client.get("/blog/category/nope/feed/rss/").status_code == 404
    assert client.get("/blog/tag/nope/feed/atom/").status_code == 404


def test_a_feed_never_shows_a_draft_nor_an_unpublished_post(client, live, draft, blog_admin):
    services.post_unpublish(post=live, publisher=blog_admin)

    for url in ("/blog/feed/rss/", "/blog/feed/atom/", "/blog/category/news/feed/rss/"):
        body = client.get(url).content
        assert b"Feed me" not in body and b"Unfinished" not in body, url


def test_script_in_a_title_excerpt_or_tag_is_text_in_both_feeds(client, author, blog_admin):
    make_post(
        author=author,
        live=True,
        publisher=blog_admin,
        title="<script>alert(1)</script>",
        excerpt="<img src=x onerror=alert(2)>",
        tags=[TagFactory(name="<b>bold</b>", slug="bbold-b")],
    )

    rss, atom = client.get("/blog/feed/rss/").content.decode(), client.get("/blog/feed/atom/").content.decode()
    for feed in (rss, atom):
        assert "<script>" not in feed and "<img" not in feed and "<b>" not in feed
    (item,) = rss_items(client, "/blog/feed/rss/")
    assert item["title"] == "&lt;script&gt;alert(1)&lt;/script&gt;"  # escaped for readers that read HTML
    assert item["description"] == "<p>&lt;img src=x onerror=alert(2)&gt;</p>"
    entry = xml(atom.encode()).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "<script>alert(1)</script>"  # Atom titles are text


def test_pages_link_their_feeds(client, live):
    blog = client.get("/blog/").content.decode()
    category = client.get("/blog/category/news/").content.decode()

    assert '<link rel="alternate" type="application/rss+xml" title="Blog (RSS)" href="/blog/feed/rss/">' in blog
    assert 'type="application/atom+xml" title="News (Atom)" href="/blog/category/news/feed/atom/"' in category


def test_feeds_and_the_sitemap_refuse_post(client, db):
    assert client.post("/blog/feed/rss/").status_code == 405
    assert client.post("/blog/feed/atom/").status_code == 405
    assert client.post("/sitemap.xml").status_code == 405


def test_the_sitemap_lists_the_home_live_pages_posts_categories_and_tags(client, live, draft, user_with_role):
    admin = user_with_role("admin")
    about = publishing.draft_create(
        model=SitePage, content={"title": "About", "slug": "about", "body": []}, author=admin
    )
    publishing.publish(obj=about, author=admin)
    publishing.draft_create(model=SitePage, content={"title": "Hidden", "slug": "hidden", "body": []}, author=admin)
    make_post(author=live.author, tags=[TagFactory(name="Only in drafts", slug="only-in-drafts")])

    response = client.get("/sitemap.xml")

    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {loc.text for loc in xml(response.content).iter(f"{namespace}loc")}
    assert urls == {
        "http://testserver/",
        "http://testserver/about/",
        "http://testserver/blog/",
        "http://testserver/blog/feed-me/",
        "http://testserver/blog/category/news/",
        "http://testserver/blog/tag/django/",
        "http://testserver/shop/",  # the shop's catalogue (apps/commerce/sitemaps.py)
    }
