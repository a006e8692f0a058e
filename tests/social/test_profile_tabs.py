"""The profile's own tabs, each at its own address: posts (/@<handle>/: posts and reposts),
replies (/replies/), media (/media/: posts with images). Pages are cut by ``?max_id=`` cursors as
the timelines' are (one query a page, whatever it holds); htmx gets the panel, or an older page's
posts in place of the "Older posts" link; only what the viewer may read."""

from __future__ import annotations

import re

import pytest

from apps.social.selectors_profile import PAGE_SIZE
from apps.social.services import posts as services
from apps.social.services import relations
from tests.social.factories import FollowFactory
from tests.social.test_posts import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _ids(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="post-(\d+)"', body)]


def _older(body: str) -> str | None:
    found = re.search(r'<a class="button button--secondary button--block" href="([^"]+)"', body)
    return found[1].replace("&amp;", "&") if found else None


def _picture(author, text: str = "a picture"):  # type: ignore[no-untyped-def]
    return services.post_create(
        author=author, text=text, images=[services.ImageInput(jpeg_with_gps(size=(60, 40)), "dot")]
    )


def test_each_tab_holds_its_kind_of_post(client, author, reader):
    post = services.post_create(author=author, text="a post")
    reply = services.post_create(author=author, text="a reply", reply_to=services.post_create(author=reader, text="q"))
    repost = services.post_repost(user=author, post=services.post_create(author=reader, text="theirs"))
    picture = _picture(author)
    tabs = {path: _ids(client.get(path).content.decode()) for path in ("/@ada/", "/@ada/replies/", "/@ada/media/")}
    assert tabs["/@ada/"] == [picture.pk, repost.pk, post.pk]
    assert tabs["/@ada/replies/"] == [reply.pk]
    assert tabs["/@ada/media/"] == [picture.pk]


def test_the_open_tab_is_marked_and_each_tab_is_a_link_to_its_own_address(client, author):
    body = client.get("/@ada/media/").content.decode()
    assert re.search(r'href="/@ada/media/" hx-get="/@ada/media/"[^>]*aria-current="page">Media<', body)
    assert 'href="/@ada/" hx-get="/@ada/"' in body and 'aria-current="page">Posts' not in body
    assert "<title>Ada Author (@ada) · Media" in body


def test_a_tab_pages_by_cursor_and_the_last_page_has_no_older_link(client, author):
    written = [services.post_create(author=author, text=f"post {i}").pk for i in range(PAGE_SIZE + 5)]
    first = client.get("/@ada/").content.decode()
    assert _ids(first) == written[::-1][:PAGE_SIZE]
    older = _older(first)
    assert older == f"/@ada/?max_id={written[5]}"
    second = client.get(older).content.decode()
    assert _ids(second) == written[::-1][PAGE_SIZE:] and _older(second) is None


def test_htmx_gets_the_panel_or_an_older_pages_posts_alone(client, author):
    written = [services.post_create(author=author, text=f"post {i}").pk for i in range(PAGE_SIZE + 2)]
    panel = client.get("/@ada/replies/", headers={"HX-Request": "true"}).content.decode()
    assert panel.lstrip().startswith('<section id="profile-panel"') and "Nothing here yet" in panel
    older = client.get(f"/@ada/?max_id={written[2]}", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in older and "profile-panel" not in older and older.lstrip().startswith("<li>")
    assert _ids(older) == [written[1], written[0]] and "data-profile-older" not in older


def test_a_new_post_does_not_shift_an_older_page(client, author):
    written = [services.post_create(author=author, text=f"post {i}").pk for i in range(PAGE_SIZE + 3)]
    older = _older(client.get("/@ada/").content.decode())
    services.post_create(author=author, text="a newer one")
    assert _ids(client.get(older).content.decode()) == written[2::-1]


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "9" * 30, "１２"])
def test_a_bad_cursor_is_400(client, author, cursor):
    assert client.get(f"/@ada/media/?max_id={cursor}").status_code == 400


def test_a_tab_shows_only_what_the_viewer_may_read(client_for, author, reader, outsider):
    public = services.post_create(author=author, text="for all")
    followers = services.post_create(author=author, text="for followers", visibility="followers")
    FollowFactory(follower=reader, followee=author)
    assert _ids(client_for(reader).get("/@ada/").content.decode()) == [followers.pk, public.pk]
    assert _ids(client_for(outsider).get("/@ada/").content.decode()) == [public.pk]
    assert _ids(client_for(None).get("/@ada/").content.decode()) == [public.pk]


def test_a_deleted_post_leaves_the_tabs(client, author):
    picture = _picture(author)
    services.post_delete(actor=author, post=picture)
    assert _ids(client.get("/@ada/media/").content.decode()) == []


def test_across_a_block_the_tabs_show_nothing(client_for, author, reader):
    services.post_create(author=author, text="hello")
    relations.block_create(blocker=author, blocked=reader)
    body = client_for(reader).get("/@ada/replies/").content.decode()
    assert "A block stands between" in body and _ids(body) == [] and "data-profile-tabs" not in body


def test_a_post_request_to_a_tab_is_405(client, author):
    assert client.post("/@ada/media/").status_code == 405


def _write(author, reader, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        post = services.post_create(author=author, text=f"post {i} #tag @rey")
        services.post_like(user=reader, post=post)
        services.post_create(author=author, text=f"reply {i}", reply_to=post)
        _picture(author, f"picture {i}")
        services.post_repost(user=author, post=services.post_create(author=reader, text=f"theirs {i}"))


@pytest.mark.parametrize("path", ["/@ada/", "/@ada/replies/", "/@ada/media/"])
def test_each_tab_costs_as_many_queries_for_many_posts_as_for_few(
    client, author, reader, django_assert_max_num_queries, path
):
    client.force_login(reader)
    _write(author, reader, 1)
    client.get(path)
    with django_assert_max_num_queries(40) as few:
        client.get(path)
    budget = len(few.captured_queries)
    _write(author, reader, 6)
    client.get(path)
    with django_assert_max_num_queries(budget):
        body = client.get(path).content.decode()
    assert len(_ids(body)) >= 6


def test_an_older_page_costs_as_many_queries_as_the_first(client, author, reader, django_assert_max_num_queries):
    client.force_login(reader)
    _write(author, reader, 12)  # more than two pages of posts and reposts
    client.get("/@ada/", headers={"HX-Request": "true"})
    with django_assert_max_num_queries(40) as first:
        older = _older(client.get("/@ada/", headers={"HX-Request": "true"}).content.decode())
    budget = len(first.captured_queries)
    with django_assert_max_num_queries(budget):
        body = client.get(older, headers={"HX-Request": "true"}).content.decode()
    assert len(_ids(body)) == 3 * 12 - PAGE_SIZE
