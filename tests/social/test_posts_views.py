"""Posts' pages: compose, a post with its thread, edit and its history, delete, the toggles (htmx
gets the action bar, a plain form a redirect), bookmarks; wrong methods, bad input, access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.social.models import Bookmark, Like, Post, PostEdit
from apps.social.services import posts as services
from tests.social.test_posts import jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_composing_publishes_a_post_and_opens_it(client, author):
    client.force_login(author)
    response = client.post(reverse("social:compose"), {"text": "Hello <b>world</b> #first", "visibility": "public"})
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Hello &lt;b&gt;world&lt;/b&gt;" in page and 'href="/social/tags/first/"' in page


def test_the_compose_page_offers_the_form_with_images_and_alt_text(client, author):
    client.force_login(author)
    page = client.get(reverse("social:compose")).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="alt_4"' in page and 'name="_idempotency"' in page


def test_composing_with_an_image_and_its_alt_text(client, author):
    client.force_login(author)
    data = {"text": "kiln", "visibility": "public", "image_1": jpeg_with_gps(), "alt_1": "A red bowl"}
    client.post(reverse("social:compose"), data)
    post = Post.objects.get()
    assert 'alt="A red bowl"' in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"text": "", "visibility": "public"},
        {"text": "x" * 1001, "visibility": "public"},
        {"text": "hi", "visibility": "everyone-ever"},
        {"text": "hi", "visibility": "lms.course:1"},
        {"text": "hi", "visibility": "public", "body": "not json"},
        {"text": "hi", "visibility": "public", "reply_to": "abc"},
    ],
)
def test_bad_input_answers_400_with_the_form_and_writes_nothing(client, author, data):
    client.force_login(author)
    response = client.post(reverse("social:compose"), data)
    assert response.status_code == 400 and b'class="errorlist' in response.content
    assert not Post.objects.exists()


def test_a_reply_to_a_post_one_may_not_read_is_404(client, author, reader):
    secret = services.post_create(author=author, text="for followers", visibility="followers")
    client.force_login(reader)
    response = client.post(reverse("social:compose"), {"text": "hi", "visibility": "public", "reply_to": secret.pk})
    assert response.status_code == 404 and Post.objects.count() == 1


def test_a_visitor_is_sent_to_sign_in_to_compose(client):
    response = client.post(reverse("social:compose"), {"text": "hi"})
    assert response.status_code == 302 and "login" in response["Location"] and not Post.objects.exists()


def test_a_posts_page_shows_its_thread_and_a_reply_form(client, author, reader):
    root = services.post_create(author=author, text="root post")
    reply = services.post_create(author=reader, text="first reply", reply_to=root)
    deeper = services.post_create(author=author, text="deeper reply", reply_to=reply)
    client.force_login(reader)
    page = client.get(reverse("social:post", args=[reply.pk])).content.decode()
    page = page[page.index("<main") :]
    assert page.index("root post") < page.index("first reply") < page.index("deeper reply")
    assert "social-post--focused" in page and 'id="reply"' in page
    assert f'name="reply_to" value="{reply.pk}"' in page
    assert "social-thread__entry--depth-2" in page and deeper


def test_a_thread_makes_as_many_queries_long_as_short(client, author, reader, django_assert_max_num_queries):
    root = services.post_create(author=author, text="root #tag")
    services.post_create(author=reader, text="reply @ada", reply_to=root)
    client.force_login(reader)
    client.get(root.get_absolute_url())
    with django_assert_max_num_queries(40) as short:
        client.get(root.get_absolute_url())
    parent = root
    for n in range(12):
        parent = services.post_create(author=[author, reader][n % 2], text=f"reply {n} @ada #tag", reply_to=parent)
        services.post_like(user=reader if n % 2 == 0 else author, post=parent)
    with django_assert_max_num_queries(len(short.captured_queries)):
        response = client.get(root.get_absolute_url())
    assert response.content.decode().count('class="card social-post') == 14


def test_a_content_warning_folds_the_post_in_details(client, author):
    post = services.post_create(author=author, text="spoilers", content_warning="Film ending")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<details" in page and "Content warning: Film ending" in page


def test_a_long_post_renders_its_blocks(client, author):
    body = [{"type": "heading", "text": "Chapter one", "level": 2}]
    post = services.post_create(author=author, text="intro", body=body)
    assert "Chapter one" in client.get(post.get_absolute_url()).content.decode()


# --- Toggles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["like", "repost", "bookmark"])
def test_a_toggle_without_javascript_redirects_back(client, author, reader, action):
    post = services.post_create(author=author, text="hi")
    client.force_login(reader)
    response = client.post(reverse(f"social:post-{action}", args=[post.pk]), {"on": "1", "next": "/@ada/"})
    assert response.status_code == 302 and response["Location"] == "/@ada/"
    post.refresh_from_db()
    assert (post.like_count, post.repost_count, Bookmark.objects.count()) == (
        int(action == "like"),
        int(action == "repost"),
        int(action == "bookmark"),
    )


def test_a_toggle_never_redirects_off_the_site(client, author, reader):
    post = services.post_create(author=author, text="hi")
    client.force_login(reader)
    response = client.post(reverse("social:post-like", args=[post.pk]), {"on": "1", "next": "https://evil.test/"})
    assert response["Location"] == post.get_absolute_url()


def test_htmx_gets_the_action_bar_and_the_same_post_twice_counts_once(client, author, reader):
    post = services.post_create(author=author, text="hi")
    client.force_login(reader)
    url = reverse("social:post-like", args=[post.pk])
    for _ in range(2):
        response = client.post(url, {"on": "1"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'id="post-actions-{post.pk}"' in body and "Liked 1" in body and 'name="on" value="0"' in body
    post.refresh_from_db()
    assert post.like_count == 1 and Like.objects.count() == 1
    client.post(url, {"on": "0"}, headers={"HX-Request": "true"})
    post.refresh_from_db()
    assert post.like_count == 0


@pytest.mark.parametrize("action", ["like", "repost", "bookmark", "delete"])
def test_toggles_and_delete_refuse_get_with_405(client, author, reader, action):
    post = services.post_create(author=author, text="hi")
    client.force_login(reader)
    assert client.get(reverse(f"social:post-{action}", args=[post.pk])).status_code == 405


def test_a_toggle_with_a_bad_state_is_400_and_changes_nothing(client, author, reader):
    post = services.post_create(author=author, text="hi")
    client.force_login(reader)
    assert client.post(reverse("social:post-like", args=[post.pk]), {"on": "maybe"}).status_code == 400
    assert not Like.objects.exists()


def test_a_toggle_on_a_post_one_may_not_read_is_404(client, author, reader):
    post = services.post_create(author=author, text="hi", visibility="mentioned")
    client.force_login(reader)
    assert client.post(reverse("social:post-like", args=[post.pk]), {"on": "1"}).status_code == 404
    assert client.post(reverse("social:post-bookmark", args=[post.pk]), {"on": "1"}).status_code == 404
    assert not Like.objects.exists() and not Bookmark.objects.exists()


def test_a_visitors_toggle_goes_to_sign_in(client, author):
    post = services.post_create(author=author, text="hi")
    response = client.post(reverse("social:post-like", args=[post.pk]), {"on": "1"})
    assert response.status_code == 302 and "login" in response["Location"] and not Like.objects.exists()


# --- Edit, history, delete ------------------------------------------------------------------------


def test_the_author_edits_and_readers_see_the_history(client, author, reader):
    post = services.post_create(author=author, text="frist")
    client.force_login(author)
    assert client.get(reverse("social:post-edit", args=[post.pk])).status_code == 200
    response = client.post(reverse("social:post-edit", args=[post.pk]), {"text": "first"})
    assert response.status_code == 302
    client.force_login(reader)
    page = client.get(post.get_absolute_url()).content.decode()
    assert reverse("social:post-history", args=[post.pk]) in page and ">edited<" in page
    history = client.get(reverse("social:post-history", args=[post.pk])).content.decode()
    assert "frist" in history and "first" in history


def test_someone_else_may_not_edit(client, author, reader):
    post = services.post_create(author=author, text="mine")
    client.force_login(reader)
    assert client.get(reverse("social:post-edit", args=[post.pk])).status_code == 403
    assert client.post(reverse("social:post-edit", args=[post.pk]), {"text": "theirs"}).status_code == 403
    post.refresh_from_db()
    assert post.text == "mine" and not PostEdit.objects.exists()


def test_an_edit_too_long_is_400_and_changes_nothing(client, author):
    post = services.post_create(author=author, text="mine")
    client.force_login(author)
    assert client.post(reverse("social:post-edit", args=[post.pk]), {"text": "x" * 1001}).status_code == 400
    post.refresh_from_db()
    assert post.text == "mine"


def test_the_history_of_a_post_one_may_not_read_is_404(client, author, reader):
    post = services.post_create(author=author, text="secret", visibility="followers")
    client.force_login(reader)
    assert client.get(reverse("social:post-history", args=[post.pk])).status_code == 404


def test_deleting_leaves_a_tombstone(client, author, reader):
    post = services.post_create(author=author, text="regret")
    services.post_create(author=reader, text="a reply", reply_to=post)
    client.force_login(reader)
    assert client.post(reverse("social:post-delete", args=[post.pk])).status_code == 403
    client.force_login(author)
    assert client.post(reverse("social:post-delete", args=[post.pk])).status_code == 302
    page = client.get(post.get_absolute_url()).content.decode()
    assert "This post was deleted." in page and "regret" not in page and "a reply" in page


# --- Bookmarks ------------------------------------------------------------------------------------


def test_the_bookmarks_page_lists_what_one_kept_and_may_still_read(client, author, reader):
    kept = services.post_create(author=author, text="kept one")
    gone = services.post_create(author=author, text="gone one")
    services.post_bookmark(user=reader, post=kept)
    services.post_bookmark(user=reader, post=gone)
    services.post_delete(actor=author, post=gone)
    client.force_login(reader)
    page = client.get(reverse("social:bookmarks")).content.decode()
    assert "kept one" in page and "gone one" not in page


def test_the_bookmarks_page_is_for_members(client):
    assert client.get(reverse("social:bookmarks")).status_code == 302
