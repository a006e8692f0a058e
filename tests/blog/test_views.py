"""The blog's pages: what each person sees and may do, HTMX partials, bad input, query counts."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from apps.blog import selectors, services
from apps.blog.models import Category, Post
from apps.blog.services import PostInput
from apps.core.platform import pagecache
from apps.core.publishing import services as publishing
from tests.blog.factories import CategoryFactory, TagFactory, make_post, paragraph

HTMX = {"HTTP_HX_REQUEST": "true"}
WHO = ["author", "other_author", "blog_admin", "admin", "member", "anonymous"]


@pytest.fixture
def draft(author):
    return make_post(author=author, title="Secret draft", slug="secret-draft")


@pytest.fixture
def live(author, blog_admin, news, django_tag):
    return make_post(
        author=author,
        live=True,
        publisher=blog_admin,
        title="Hello readers",
        slug="hello-readers",
        categories=[news],
        tags=[django_tag],
    )


def statuses(people, client_for, method: str, url: str, data: dict | None = None) -> dict[str, int]:
    return {who: getattr(client_for(people[who]), method)(url, data or {}).status_code for who in WHO}


def editor_form(post: Post | None = None, **changes) -> dict:
    content = selectors.post_draft_content(post) if post else {}
    form = {
        "title": content.get("title", "Fresh post"),
        "slug": content.get("slug", ""),
        "excerpt": content.get("excerpt", ""),
        "body": json.dumps(content.get("body", [paragraph("Fresh words.")])),
        "text": "",
        "cover_alt": "",
        "tags": ", ".join(content.get("tags", [])),
        "seo_description": "",
        "based_on": post.latest_revision if post else 0,
        "_save": "1",
    }
    return {**form, **changes}


# --- Reading ------------------------------------------------------------------------------------


def test_the_list_shows_live_posts_and_never_a_draft(client, live, draft):
    html = client.get("/blog/").content.decode()

    assert "Hello readers" in html and "Secret draft" not in html
    assert f'href="{live.get_absolute_url()}"' in html


def test_a_post_page_shows_everything_a_reader_needs(client, live, news, django_tag):
    html = client.get("/blog/hello-readers/").content.decode()

    assert '<h1 class="post__title">Hello readers</h1>' in html
    assert "Art Author" in html and "1 min read" in html and "Words of post" in html
    assert 'href="/blog/category/news/"' in html and 'href="/blog/tag/django/"' in html
    assert '<link rel="canonical" href="http://testserver/blog/hello-readers/">' in html
    assert '<meta property="og:title" content="Hello readers">' in html
    assert '<meta name="description" content="The excerpt of post' in html
    assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html


@pytest.mark.parametrize("who", WHO)
def test_nobody_sees_a_draft_at_its_address_without_a_preview_link(people, client_for, draft, who):
    assert client_for(people[who]).get("/blog/secret-draft/").status_code == 404


def test_the_author_previews_their_draft_through_a_signed_link(client_for, author, draft):
    client = client_for(author)

    redirect = client.get(f"/blog/posts/{draft.pk}/preview/")
    response = client.get(redirect["Location"])

    assert redirect.status_code == 302 and "?preview=" in redirect["Location"]
    assert response.status_code == 200 and "Secret draft" in response.content.decode()
    assert "Preview of revision 1" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"


def test_a_preview_shows_the_drafts_categories_and_tags(client_for, author, blog_admin, live):
    other = CategoryFactory(name="Other news")
    services.post_update(
        post=live,
        editor=author,
        data=PostInput(title="Hello again", body=[paragraph("x")], category_ids=(other.pk,), tag_names=("Fresh",)),
        based_on=live.latest_revision,
    )
    client = client_for(author)

    html = client.get(client.get(f"/blog/posts/{live.pk}/preview/")["Location"]).content.decode()

    assert "Hello again" in html and "Other news" in html and "#Fresh" in html
    assert list(Post.objects.get(pk=live.pk).categories.values_list("name", flat=True)) == ["News"]


def test_nobody_else_opens_a_preview_link_and_a_guessed_one_shows_nothing(people, client_for, author, draft):
    token = publishing.preview_token(obj=draft, revision=1, user=author)

    for who in WHO:
        if who == "author":
            continue
        response = client_for(people[who]).get(f"/blog/secret-draft/?preview={token}")
        assert response.status_code == 403, who
        assert "Secret draft" not in response.content.decode()
    assert client_for(author).get("/blog/secret-draft/?preview=guess").status_code == 403


def test_category_tag_and_author_pages_list_their_live_posts(client, live, author, blog_admin):
    make_post(author=blog_admin, live=True, publisher=blog_admin, title="Unrelated")

    for url in ("/blog/category/news/", "/blog/tag/django/", f"/blog/author/{author.pk}/"):
        html = client.get(url).content.decode()
        assert "Hello readers" in html and "Unrelated" not in html, url


def test_unknown_categories_tags_and_authors_without_posts_are_not_found(client, live, member, draft):
    assert client.get("/blog/category/nope/").status_code == 404
    assert client.get("/blog/tag/nope/").status_code == 404
    assert client.get(f"/blog/author/{member.pk}/").status_code == 404
    assert client.get("/blog/author/999999/").status_code == 404


def test_the_list_filters_by_category_tag_and_words(client, live, blog_admin, news):
    make_post(author=blog_admin, live=True, publisher=blog_admin, title="Release notes", excerpt="What changed")

    assert "Release notes" not in client.get("/blog/?category=news").content.decode()
    assert "Release notes" not in client.get("/blog/?tag=django").content.decode()
    found = client.get("/blog/?q=changed").content.decode()
    assert "Release notes" in found and "Hello readers" not in found and 'name="robots" content="noindex"' in found
    for unknown in ("unknown", "not a slug", "x" * 300):  # an unknown filter is no filter
        everything = client.get("/blog/", {"category": unknown, "tag": unknown}).content.decode()
        assert "Release notes" in everything and "Hello readers" in everything


def test_the_list_is_paginated_and_a_bad_page_number_gives_a_page(client, author, blog_admin):
    for number in range(12):
        make_post(author=author, live=True, publisher=blog_admin, title=f"Numbered {number:02}")

    first, second = client.get("/blog/").content.decode(), client.get("/blog/?page=2").content.decode()

    assert "Numbered 11" in first and "Numbered 01" not in first and 'href="?page=2"' in first
    assert "Numbered 01" in second and 'aria-current="page" aria-label="Page 2"' in second
    assert client.get("/blog/?page=abc").status_code == 200 and client.get("/blog/?page=99").status_code == 200


def test_htmx_gets_the_list_alone_and_a_plain_request_the_whole_page(client, live):
    partial = client.get("/blog/?q=hello", **HTMX)
    full = client.get("/blog/?q=hello")
    restore = client.get("/blog/?q=hello", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)

    assert partial.content.decode().lstrip().startswith('<section id="post-list"')
    assert "<html" not in partial.content.decode() and "Hello readers" in partial.content.decode()
    assert "<html" in full.content.decode() and 'id="post-list"' in full.content.decode()
    assert "<html" in restore.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_pagination_keeps_the_filters(client, author, blog_admin, news):
    for number in range(11):
        make_post(author=author, live=True, publisher=blog_admin, title=f"News {number}", categories=[news])

    html = client.get("/blog/?category=news&q=News").content.decode()
    category_page = client.get("/blog/category/news/").content.decode()

    assert 'href="?q=News&amp;category=news&amp;page=2"' in html
    assert 'href="?page=2"' in category_page


def test_related_posts_share_tags_or_a_category_and_are_live(client, live, author, blog_admin, django_tag, news):
    make_post(author=author, live=True, publisher=blog_admin, title="Same tag", tags=[django_tag])
    make_post(author=author, live=True, publisher=blog_admin, title="Same category", categories=[news])
    make_post(author=author, live=True, publisher=blog_admin, title="Nothing shared")
    make_post(author=author, title="Draft with tag", tags=[django_tag])

    html = client.get("/blog/hello-readers/").content.decode()
    related = html[html.index("Related posts") :]

    assert "Same tag" in related and "Same category" in related
    assert "Nothing shared" not in related and "Draft with tag" not in related


@pytest.mark.parametrize(
    "url", ["/blog/", "/blog/hello-readers/", "/blog/category/news/", "/blog/tag/django/", "/blog/feed/rss/"]
)
def test_reading_pages_refuse_post(client, live, url):
    assert client.post(url).status_code == 405


def test_a_published_change_shows_at_once(client, live, author, blog_admin, django_capture_on_commit_callbacks):
    assert "Hello readers" in client.get("/blog/hello-readers/").content.decode()  # now cached
    assert "Hello readers" in client.get("/blog/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(
            post=live, editor=author, data=PostInput(title="Hello, changed", body=[paragraph("New")]), based_on=1
        )
    assert "Hello, changed" not in client.get("/blog/hello-readers/").content.decode()  # a draft changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish(post=live, publisher=blog_admin)

    assert "Hello, changed" in client.get("/blog/hello-readers/").content.decode()
    assert "Hello, changed" in client.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_unpublish(post=live, publisher=blog_admin)
    assert client.get("/blog/hello-readers/").status_code == 404
    assert "Hello, changed" not in client.get("/blog/").content.decode()


def test_pages_still_render_when_the_cache_is_down(client, live, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.SITE_CACHE_SECONDS = 60

    assert client.get("/blog/hello-readers/").status_code == 200
    assert client.get("/blog/").status_code == 200


# --- Security: stored script never runs -------------------------------------------------------------


def test_script_in_a_title_excerpt_tag_or_body_is_shown_as_text_or_removed(client, author, blog_admin):
    make_post(
        author=author,
        live=True,
        publisher=blog_admin,
        slug="xss",
        title="<script>alert(1)</script>",
        excerpt="<b onmouseover=alert(2)>bold</b>",
        tags=[TagFactory(name="<img src=x onerror=alert(3)>", slug="img-srcx-onerroralert3")],
        body=[paragraph('Hi<script>alert(4)</script><img src=x onerror="alert(5)">')],
    )

    for url in ("/blog/xss/", "/blog/", "/blog/tag/img-srcx-onerroralert3/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "alert(4)" not in html and 'onerror="alert(5)"' not in html, url


# --- Query counts and the page cache --------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def many_terms(count: int) -> tuple[list, list]:
    return (
        [CategoryFactory(name=f"Section {i}") for i in range(min(count, 5))],
        [TagFactory(name=f"topic {i}") for i in range(min(count, 10))],
    )


@pytest.fixture
def with_cookie(client):
    """A visitor with a cookie (not a session): the whole-page cache steps aside, as for the bench's
    "uncached" runs; the page's own fragment caches still work."""
    client.cookies["seen"] = "1"
    return client


@pytest.mark.parametrize("size", [1, 10])
def test_the_post_page_costs_no_query_when_warm_and_the_same_few_when_cold(with_cookie, author, blog_admin, size):
    categories, tags = many_terms(size)
    make_post(author=author, live=True, publisher=blog_admin, slug="measured", categories=categories, tags=tags)
    for _ in range(size):
        make_post(author=author, live=True, publisher=blog_admin, categories=categories, tags=tags)
    with_cookie.get("/")  # the first request of a test may apply schedules

    pagecache.invalidate(selectors.NAMESPACE)
    cold = count_queries(with_cookie, "/blog/measured/")
    warm = count_queries(with_cookie, "/blog/measured/")

    # The post, its categories, its tags, related posts, the comment thread: then cache entries hold them.
    assert (cold, warm) == (5, 0), (cold, warm)


@pytest.mark.parametrize("size", [1, 12])
def test_the_list_page_costs_no_query_when_warm_and_the_same_few_when_cold(with_cookie, author, blog_admin, size):
    categories, tags = many_terms(size)
    for _ in range(size):
        make_post(author=author, live=True, publisher=blog_admin, categories=categories, tags=tags)
    with_cookie.get("/")

    pagecache.invalidate(selectors.NAMESPACE)
    cold = count_queries(with_cookie, "/blog/")
    warm = count_queries(with_cookie, "/blog/")
    search = count_queries(with_cookie, "/blog/?q=post")  # searches are not cached: still flat

    # count, page, categories, tags; the side column's categories and tags with counts.
    assert (cold, warm, search) == (6, 0, 4), (cold, warm, search)


def test_a_signed_in_reader_costs_only_their_account_and_roles_more(client_for, member, live):
    client = client_for(member)
    client.get("/")
    count_queries(client, "/blog/hello-readers/")

    # The session and the user's roles are cached; the user is read, then the thread as they see
    # it (their own waiting comments) and whether they may comment, and the header's bell counts
    # their unread notifications and its mini-cart their cart's items (the unread messages' count
    # is cached).
    assert count_queries(client, "/blog/hello-readers/") == 5


def test_visitors_without_cookies_share_whole_pages_and_nobody_else_does(client, client_for, author, live):
    first, second = client.get("/blog/hello-readers/"), client.get("/blog/hello-readers/")
    listed = [client.get("/blog/")["X-Page-Cache"], client.get("/blog/")["X-Page-Cache"]]

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit") and listed == ["miss", "hit"]
    assert second.content == first.content and b"csrfmiddlewaretoken" not in second.content
    signed_in = client_for(author).get("/blog/hello-readers/")
    assert signed_in["X-Page-Cache"] == "bypass" and "Edit this post" in signed_in.content.decode()
    assert "Edit this post" not in second.content.decode()


def test_a_preview_is_never_kept_in_the_page_cache(client_for, author, draft):
    token = publishing.preview_token(obj=draft, revision=1, user=author)
    client = client_for(author)

    response = client.get(f"/blog/secret-draft/?preview={token}")

    assert response["Cache-Control"] == "private, no-store" and response["X-Page-Cache"] == "bypass"


def test_an_htmx_history_restore_gets_the_whole_page_after_a_cached_partial(client, live):
    client.get("/blog/", **HTMX)
    client.get("/blog/", **HTMX)  # the partial is now cached

    restore = client.get("/blog/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)

    assert "<html" in restore.content.decode()
    assert "<html" not in client.get("/blog/", **HTMX).content.decode()


# --- Writing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/blog/write/", {"author": 200, "other_author": 200, "blog_admin": 200, "admin": 200, "member": 403}),
        ("/blog/mine/", {"author": 200, "other_author": 200, "blog_admin": 200, "admin": 200, "member": 403}),
        ("/blog/review/", {"author": 403, "other_author": 403, "blog_admin": 200, "admin": 200, "member": 403}),
        ("edit", {"author": 200, "other_author": 403, "blog_admin": 200, "admin": 200, "member": 403}),
        ("preview", {"author": 302, "other_author": 403, "blog_admin": 302, "admin": 302, "member": 403}),
    ],
)
def test_who_may_open_the_writing_pages(people, client_for, draft, url, expected):
    url = {"edit": f"/blog/posts/{draft.pk}/edit/", "preview": f"/blog/posts/{draft.pk}/preview/"}.get(url, url)

    answered = statuses(people, client_for, "get", url)

    assert answered == {**expected, "anonymous": 302}
    assert client_for(None).get(url)["Location"].startswith("/accounts/login/")


def test_an_author_writes_a_post_in_plain_text_and_it_stays_a_draft(client_for, author, news):
    response = client_for(author).post(
        "/blog/write/",
        editor_form(
            title="My <first> post",
            body="",
            text="Line one\nline two\n\n<script>x</script>",
            categories=[news.pk],
            tags="Django, htmx",
        ),
    )

    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/blog/posts/{post.pk}/edit/"
    content = selectors.post_draft_content(post)
    assert content["title"] == "My <first> post" and content["slug"] == "my-first-post"
    assert content["body"][0]["html"] == "<p>Line one<br>line two</p>\n\n<p>&lt;script&gt;x&lt;/script&gt;</p>"
    assert content["categories"] == [news.pk] and content["tags"] == ["django", "htmx"]
    assert post.author == author and not post.live


def test_the_editor_accepts_a_simple_json_body_without_ids(client_for, author):
    body = json.dumps([{"type": "heading", "text": "Intro", "level": 2}, {"type": "rich_text", "html": "<p>Hi</p>"}])

    client_for(author).post("/blog/write/", editor_form(body=body))

    blocks = selectors.post_draft_content(Post.objects.get())["body"]
    assert [block["type"] for block in blocks] == ["heading", "rich_text"] and all(block["id"] for block in blocks)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"body": "not json"}, "not valid JSON"),
        ({"body": json.dumps([{"type": "cta", "text": "Go", "url": "javascript:alert(1)"}])}, "Block 1 (cta)"),
        ({"slug": "review"}, "used by the blog itself"),
        ({"slug": "not a slug!"}, "Enter a valid"),
        ({"categories": ["999999"]}, "Select a valid choice"),
        ({"tags": ", ".join(f"t{i}" for i in range(11))}, "at most 10 tags"),
    ],
)
def test_bad_input_gets_clear_errors_and_changes_nothing(client_for, author, draft, changes, message):
    response = client_for(author).post(f"/blog/posts/{draft.pk}/edit/", editor_form(draft, **changes))

    assert response.status_code == 422 and message in response.content.decode()
    assert Post.objects.get(pk=draft.pk).latest_revision == 1


def test_a_stale_editor_is_told_of_the_conflict_and_keeps_what_they_typed(client_for, author, blog_admin, draft):
    opened = editor_form(draft)  # the author opens revision 1
    client_for(blog_admin).post(f"/blog/posts/{draft.pk}/edit/", editor_form(draft, title="Admin was here"))

    response = client_for(author).post(f"/blog/posts/{draft.pk}/edit/", {**opened, "title": "My careful words"})

    html = response.content.decode()
    assert response.status_code == 409 and "Revision 2 was saved" in html and 'value="My careful words"' in html
    assert selectors.post_draft_content(Post.objects.get(pk=draft.pk))["title"] == "Admin was here"


def test_an_author_saves_and_submits_and_cannot_publish_from_the_editor(client_for, author, draft):
    client = client_for(author)

    html = client.get(f"/blog/posts/{draft.pk}/edit/").content.decode()
    assert 'name="_submit"' in html and 'name="_publish"' not in html and 'name="_schedule"' not in html
    client.post(f"/blog/posts/{draft.pk}/edit/", {**editor_form(draft), "_save": "", "_submit": "1"})
    refused = client.post(
        f"/blog/posts/{draft.pk}/edit/", {**editor_form(Post.objects.get(pk=draft.pk)), "_publish": "1"}
    )

    post = Post.objects.get(pk=draft.pk)
    # Both forms held revision 1's content unchanged, so no revision was added (issue 9).
    assert post.latest_revision == 1 and not post.live
    assert refused.status_code == 302  # the draft saved; publishing was refused, and said so
    assert "may not publish" in client.get(refused["Location"]).content.decode()


def test_a_blog_admin_publishes_and_schedules_from_the_editor(client_for, blog_admin, draft):
    client = client_for(blog_admin)
    later = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    client.post(f"/blog/posts/{draft.pk}/edit/", {**editor_form(draft), "_publish": "1"})
    assert Post.objects.get(pk=draft.pk).live

    post = Post.objects.get(pk=draft.pk)
    client.post(
        f"/blog/posts/{draft.pk}/edit/", {**editor_form(post, title="Later"), "_schedule": "1", "go_live_at": later}
    )
    post = Post.objects.get(pk=draft.pk)
    # Publishing the unchanged form published revision 1 itself (issue 9): "Later" is revision 2.
    assert post.go_live_at is not None and post.scheduled_revision == 2 and post.title == "Secret draft"


def test_scheduling_without_a_time_saves_the_draft_and_says_what_is_missing(client_for, blog_admin, draft):
    client = client_for(blog_admin)

    response = client.post(f"/blog/posts/{draft.pk}/edit/", {**editor_form(draft), "_schedule": "1"}, follow=True)

    assert "say when it should go live" in response.content.decode()
    assert Post.objects.get(pk=draft.pk).go_live_at is None


def test_a_cover_upload_shows_as_responsive_images(client_for, client, author, blog_admin, draft):
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), "#0f9d84").save(buffer, format="JPEG")
    upload = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
    client_for(author).post(
        f"/blog/posts/{draft.pk}/edit/", {**editor_form(draft, cover_alt="A green field"), "cover": upload}
    )
    services.post_publish(post=Post.objects.get(pk=draft.pk), publisher=blog_admin)

    page, card = client.get("/blog/secret-draft/").content.decode(), client.get("/blog/").content.decode()

    hero = re.search(r'<img class="cover"[^>]*>', page).group(0)
    assert hero.count("w, ") == 2 and "_1600w.webp 1600w" in hero and 'width="1600" height="800"' in hero
    assert 'alt="A green field"' in hero and 'fetchpriority="high"' in hero and "loading=" not in hero
    assert 'loading="lazy"' in re.search(r'<img class="cover"[^>]*>', card).group(0)
    assert '<meta property="og:image" content="http://testserver/media/blog/covers/' in page
    # The built-in home's latest posts show it too, on their cards.
    home = client.get("/").content.decode()
    tile = re.search(r'<a class="post-tile__cover"[^>]*>\s*<img class="cover"[^>]*>', home).group(0)
    assert 'alt="A green field"' in tile and 'loading="lazy"' in tile


def test_a_cover_that_is_not_an_image_is_refused(client_for, author, draft):
    fake = SimpleUploadedFile("cover.jpg", b"GIF89a<script>", content_type="image/jpeg")

    response = client_for(author).post(
        f"/blog/posts/{draft.pk}/edit/", {**editor_form(draft, cover_alt="x"), "cover": fake}
    )

    assert response.status_code == 422 and "Upload a PNG, JPEG, GIF or WebP image" in response.content.decode()
    assert Post.objects.get(pk=draft.pk).latest_revision == 1


def test_a_cover_needs_a_description(client_for, author, draft):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("c.png", buffer.getvalue(), content_type="image/png")

    response = client_for(author).post(f"/blog/posts/{draft.pk}/edit/", {**editor_form(draft), "cover": upload})

    assert response.status_code == 422 and "Describe the cover" in response.content.decode()


def test_the_editor_refuses_other_methods(client_for, author, draft):
    assert client_for(author).put(f"/blog/posts/{draft.pk}/edit/").status_code == 405
    assert client_for(author).delete("/blog/write/").status_code == 405


def test_an_author_sees_their_own_posts_with_their_newest_titles(client_for, author, other_author, draft):
    make_post(author=other_author, title="Not mine")
    services.post_update(
        post=draft, editor=author, data=PostInput(title="Renamed draft", body=[paragraph("x")]), based_on=1
    )

    html = client_for(author).get("/blog/mine/").content.decode()

    assert "Renamed draft" in html and "Not mine" not in html and f'action="/blog/posts/{draft.pk}/submit/"' in html


# --- Review actions ----------------------------------------------------------------------------------


ACTIONS = ["submit", "publish", "schedule", "unschedule", "unpublish", "request-changes"]


@pytest.mark.parametrize("action", ACTIONS)
def test_review_actions_refuse_get(client_for, blog_admin, draft, action):
    assert client_for(blog_admin).get(f"/blog/posts/{draft.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("action", ["publish", "schedule", "unschedule", "unpublish", "request-changes"])
def test_only_blog_admins_and_above_publish_or_review(people, client_for, author, action):
    later = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answered = {}
    for who in WHO:
        post = make_post(author=author)
        services.post_submit(post=post, author=author)
        data = {"go_live_at": later, "note": "Please change", "revision": 1}
        answered[who] = client_for(people[who]).post(f"/blog/posts/{post.pk}/{action}/", data).status_code

    assert answered == {
        "author": 403,
        "other_author": 403,
        "blog_admin": 302,
        "admin": 302,
        "member": 403,
        "anonymous": 302,  # to the sign-in page
    }


def test_an_author_submits_only_their_own_post(people, client_for, author):
    answered = {}
    for who in WHO:
        post = make_post(author=author)
        answered[who] = client_for(people[who]).post(f"/blog/posts/{post.pk}/submit/").status_code
    assert answered == {
        "author": 302,
        "other_author": 403,
        "blog_admin": 302,
        "admin": 302,
        "member": 403,
        "anonymous": 302,
    }
    assert Post.objects.filter(review_state=Post.ReviewState.SUBMITTED).count() == 3


def test_the_review_queue_publishes_the_revision_the_reviewer_saw(client_for, author, blog_admin, draft):
    services.post_submit(post=draft, author=author)
    client = client_for(blog_admin)
    html = client.get("/blog/review/").content.decode()
    assert "Secret draft" in html and 'name="revision" value="1"' in html
    services.post_update(
        post=draft, editor=blog_admin, data=PostInput(title="Sneaky", body=[paragraph("y")]), based_on=1
    )

    response = client.post(f"/blog/posts/{draft.pk}/publish/", {"revision": "1"})

    post = Post.objects.get(pk=draft.pk)
    assert response.status_code == 302 and response["Location"] == "/blog/review/"
    assert post.live and post.title == "Secret draft" and post.has_unpublished_changes


def test_requesting_changes_needs_a_note_and_the_author_sees_it(client_for, author, blog_admin, draft):
    services.post_submit(post=draft, author=author)
    client = client_for(blog_admin)

    empty = client.post(f"/blog/posts/{draft.pk}/request-changes/", {"note": ""}, follow=True)
    assert "Say what should change" in empty.content.decode()
    assert Post.objects.get(pk=draft.pk).review_state == Post.ReviewState.SUBMITTED

    client.post(f"/blog/posts/{draft.pk}/request-changes/", {"note": "Add <a> conclusion."})
    mine = client_for(author).get("/blog/mine/").content.decode()
    editor = client_for(author).get(f"/blog/posts/{draft.pk}/edit/").content.decode()
    assert "Add &lt;a&gt; conclusion." in mine and "Changes requested" in editor


def test_scheduling_from_the_queue_needs_a_future_time(client_for, author, blog_admin, draft):
    services.post_submit(post=draft, author=author)
    client = client_for(blog_admin)
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    assert (
        "in the future"
        in client.post(f"/blog/posts/{draft.pk}/schedule/", {"go_live_at": past}, follow=True).content.decode()
    )
    assert (
        "Say when"
        in client.post(f"/blog/posts/{draft.pk}/schedule/", {"go_live_at": "soon"}, follow=True).content.decode()
    )
    assert Post.objects.get(pk=draft.pk).go_live_at is None


def test_actions_go_back_only_to_this_site(client_for, author, draft):
    response = client_for(author).post(f"/blog/posts/{draft.pk}/submit/", {"next": "https://evil.example/"})

    assert response["Location"] == "/blog/mine/"


def test_a_missing_post_is_not_found(client_for, blog_admin):
    assert client_for(blog_admin).post("/blog/posts/999999/publish/").status_code == 404
    assert client_for(blog_admin).get("/blog/posts/999999/edit/").status_code == 404


def test_blog_admins_add_categories_from_the_review_page(people, client_for):
    answered = statuses(people, client_for, "post", "/blog/review/categories/", {"name": "Guides"})

    assert answered == {
        "author": 403,
        "other_author": 403,
        "blog_admin": 302,
        "admin": 302,  # already exists by then: told so, nothing added
        "member": 403,
        "anonymous": 302,
    }
    assert list(Category.objects.values_list("slug", flat=True)) == ["guides"]
    assert client_for(people["admin"]).post("/blog/review/categories/", {"name": ""}).status_code == 302
    assert Category.objects.count() == 1


# --- Site integration -----------------------------------------------------------------------------


def test_dashboards_show_blog_panels_to_those_who_write_or_review(client_for, author, blog_admin, member, draft):
    services.post_submit(post=draft, author=author)

    assert "Your posts" in client_for(author).get("/dashboard/member/").content.decode()
    assert "Your posts" not in client_for(member).get("/dashboard/member/").content.decode()
    review = client_for(blog_admin).get("/dashboard/blog/").content.decode()
    assert "Review queue" in review and "Secret draft" in review


def test_the_built_in_home_has_a_hero_with_calls_to_action_and_the_latest_posts_as_cards(client, live):
    from django.conf import settings

    html = client.get("/").content.decode()

    hero = re.search(r'<section class="home-hero".*?</section>', html, re.S).group(0)
    assert f'<h1 class="home-hero__title" id="home-title">{settings.SITE_TAGLINE}</h1>' in hero
    # It promises only what is installed: the blog, its comments, the shop and the account.
    assert "A blog to read, with comments" in hero and "with a catalogue to filter and search" in hero
    actions = re.search(r'<p class="home-hero__actions">(.*?)</p>', hero, re.S).group(1)
    assert re.findall(r'<a class="([^"]+)" href="([^"]+)">([^<]+)</a>', actions) == [
        ("button", "/blog/", "Read the blog"),
        ("button button--ghost", "/accounts/register/", "Create an account"),
    ]
    card = re.search(r'<article class="post-tile">.*?</article>', html, re.S).group(0)
    assert '<a href="/blog/hello-readers/">Hello readers</a>' in card
    assert live.excerpt in card and f'By <a href="/blog/author/{live.author_id}/">' in card
    assert "min read" in card and "<time datetime=" in card


def test_the_home_offers_authors_a_way_to_write(client_for, author, live):
    html = client_for(author).get("/").content.decode()

    actions = re.search(r'<p class="home-hero__actions">(.*?)</p>', html, re.S).group(1)
    assert "Write a post" in actions and "Your dashboard" in actions and "Create an account" not in actions


def test_the_built_in_navigation_links_the_blog(client, db):
    assert '<a href="/blog/">Blog</a>' in client.get("/").content.decode()


def test_the_latest_posts_slot_lists_live_posts_on_any_page(client, live, draft, user_with_role):
    from apps.core.models import SitePage

    admin = user_with_role("admin")
    body = [{"type": "slot", "name": "latest_posts", "options": {"limit": 2}}]
    page = publishing.draft_create(
        model=SitePage, content={"title": "News", "slug": "news", "body": body}, author=admin
    )
    publishing.publish(obj=page, author=admin)

    html = client.get("/news/").content.decode()

    assert "Hello readers" in html and "Secret draft" not in html


def test_a_site_page_cannot_take_the_blogs_address(user_with_role):
    from django.core.exceptions import ValidationError

    from apps.core.models import SitePage

    with pytest.raises(ValidationError):
        publishing.draft_create(
            model=SitePage, content={"title": "B", "slug": "blog", "body": []}, author=user_with_role("admin")
        )


def test_robots_txt_keeps_the_blogs_writing_and_review_pages_out(client, db):
    lines = client.get("/robots.txt").content.decode().splitlines()

    for path in ("/blog/write/", "/blog/mine/", "/blog/review/", "/blog/posts/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /blog/" not in lines  # the posts themselves stay open to crawlers
