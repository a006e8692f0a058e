"""The social API's posts: writing (text, visibility, an audience, a content warning, replies,
reposts, images with alt text), reading one through the one visibility rule (404, never 403, for
a post kept from the caller), editing with its history, deleting; replies by cursor (stable
under inserts), the like, repost and bookmark switches (idempotent), who liked or reposted,
bookmarks, a person's posts; the permission matrix (anonymous, stranger, follower, blocked,
mentioned, audience member, author, staff), answers that leak nothing, idempotent creates (one
post from a race of identical requests), bad input 400 and flat query counts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from apps.social.models import Bookmark, Like, Post, PostEdit
from apps.social.services import posts as services
from tests.core.factories import UserFactory
from tests.core.images import image_upload
from tests.social.api.conftest import API, error_of
from tests.social.conftest import CLUB_MEMBERS
from tests.social.factories import BlockFactory, ProfileFactory, follow, person

pytestmark = pytest.mark.django_db

AUDIENCE = "tests.club:chess"


def url(post: Post, tail: str = "") -> str:
    return f"{API}posts/{post.pk}/{tail}"


@pytest.fixture
def cast(db, club):  # noqa: F811 (the fixture imported above)
    """The permission matrix's people around one author (ada)."""

    def one(handle: str):
        return ProfileFactory(handle=handle, user=UserFactory(display_name=handle.title())).user

    people = {name: one(name) for name in ("ada", "stranger", "follower", "mentioned", "member", "blocked")}
    people["staff"] = ProfileFactory(handle="staff", user=UserFactory(is_staff=True)).user
    follow(people["follower"], people["ada"])
    follow(people["blocked"], people["ada"])
    BlockFactory(blocker=people["ada"], blocked=people["blocked"])
    CLUB_MEMBERS.update({people["ada"].pk, people["member"].pk, people["blocked"].pk})
    people["anonymous"] = None
    return people


def write(author, visibility: str = "public", text: str = "Hello @mentioned", **kwargs) -> Post:
    audience = AUDIENCE if visibility == "audience" else ""
    return services.post_create(author=author, text=text, visibility=visibility, audience=audience, **kwargs)


READERS = {
    "public": {"anonymous", "stranger", "follower", "mentioned", "member", "ada", "staff"},
    "followers": {"follower", "ada"},
    "mentioned": {"mentioned", "ada"},
    "audience": {"member", "ada"},
}
WHO = ("anonymous", "stranger", "follower", "mentioned", "member", "blocked", "ada", "staff")


# --- Reading: the one rule ---------------------------------------------------------------------


@pytest.mark.parametrize("visibility", list(READERS))
@pytest.mark.parametrize("who", WHO)
def test_a_post_answers_its_readers_and_is_a_404_for_everyone_else(api_as, cast, visibility, who):
    post = write(cast["ada"], visibility)
    response = api_as(cast[who]).get(url(post))
    if who in READERS[visibility]:
        assert response.status_code == 200, response.content
        assert response.json()["id"] == post.pk and response.json()["text"] == "Hello @mentioned"
    else:
        error = error_of(response, 404)
        # The same answer as a post that never was: nothing tells it exists.
        missing = api_as(cast[who]).get(f"{API}posts/{post.pk + 1000}/").json()["error"]
        assert error == missing


@pytest.mark.parametrize("visibility", list(READERS))
@pytest.mark.parametrize("who", WHO)
def test_every_post_endpoint_keeps_an_unreadable_post_hidden(api_as, cast, visibility, who):
    post = write(cast["ada"], visibility)
    if who in READERS[visibility]:
        return
    client = api_as(cast[who])
    for tail in ("replies/", "history/", "likes/", "reposts/"):
        error_of(client.get(url(post, tail)), 404)
    if cast[who] is not None:
        for tail in ("like/", "repost/", "bookmark/"):
            error_of(client.put(url(post, tail)), 404)
            error_of(client.delete(url(post, tail)), 404)
        error_of(client.patch(url(post), {"text": "mine now"}, format="json"), 404)
        error_of(client.delete(url(post)), 404)
        body = client.post(f"{API}posts/", {"text": "re", "reply_to": post.pk}, format="json")
        assert error_of(body, 400)["fields"] == {"reply_to": ["No such post."]}
    assert Post.objects.filter(reply_to=post).count() == 0 and not Like.objects.exists()


def test_a_reader_who_is_not_the_author_may_not_edit_or_delete(api_as, cast):
    post = write(cast["ada"])
    client = api_as(cast["stranger"])
    error_of(client.patch(url(post), {"text": "mine now"}, format="json"), 403)
    error_of(client.delete(url(post)), 403)
    post.refresh_from_db()
    assert post.text == "Hello @mentioned" and not post.is_deleted


def test_anonymous_writes_are_401(api_as, cast):
    post = write(cast["ada"])
    client = api_as(None)
    error_of(client.post(f"{API}posts/", {"text": "hi"}, format="json"), 401)
    error_of(client.patch(url(post), {"text": "x"}, format="json"), 401)
    error_of(client.delete(url(post)), 401)
    error_of(client.put(url(post, "like/")), 401)
    error_of(client.get(f"{API}bookmarks/"), 401)


def test_staff_delete_anyones_post_and_it_stays_a_tombstone(api_as, cast):
    post = write(cast["ada"], "public", "Rude words #tag")
    assert api_as(cast["staff"]).delete(url(post)).status_code == 204
    body = api_as(cast["stranger"]).get(url(post)).json()
    assert body["deleted"] is True and body["text"] == "" and body["html"] == ""
    assert body["images"] == [] and body["mentions"] == [] and body["counts"]["likes"] == 0


def test_deleting_again_is_done_and_a_tombstone_hides_its_history(api_as, cast):
    post = write(cast["ada"], "public", "First")
    client = api_as(cast["ada"])
    client.patch(url(post), {"text": "Second"}, format="json")
    assert len(client.get(url(post, "history/")).json()["results"]) == 1
    assert client.delete(url(post)).status_code == 204
    assert client.delete(url(post)).status_code == 204
    assert client.get(url(post, "history/")).json()["results"] == []
    assert PostEdit.objects.filter(post=post).exists()  # the rows are the service's business


# --- What an answer shows ----------------------------------------------------------------------


def test_a_mentioned_only_post_lists_only_the_caller_among_its_mentions(api_as, cast):
    other = person("other")
    post = write(cast["ada"], "mentioned", "Hi @mentioned and @other")
    assert api_as(cast["mentioned"]).get(url(post)).json()["mentions"] == ["mentioned"]
    assert api_as(other).get(url(post)).json()["mentions"] == ["other"]
    assert sorted(api_as(cast["ada"]).get(url(post)).json()["mentions"]) == ["mentioned", "other"]


def test_a_public_post_lists_its_mentions_to_all(api_as, cast):
    post = write(cast["ada"], "public", "Hi @mentioned")
    assert api_as(None).get(url(post)).json()["mentions"] == ["mentioned"]


def test_the_audience_key_is_its_authors_and_readers_see_its_label(api_as, cast):
    post = write(cast["ada"], "audience")
    mine = api_as(cast["ada"]).get(url(post)).json()
    theirs = api_as(cast["member"]).get(url(post)).json()
    assert mine["audience"] == AUDIENCE and mine["audience_label"] == "A club's members"
    assert theirs["audience"] is None and theirs["audience_label"] == "A club's members"


def test_replies_are_counted_only_as_far_as_the_caller_may_read_them(api_as, cast):
    post = write(cast["ada"], "public", "Open")
    write(cast["follower"], "public", "A public reply", reply_to=post)
    write(cast["follower"], "mentioned", "@ada only", reply_to=post)
    assert api_as(cast["stranger"]).get(url(post)).json()["counts"]["replies"] == 1
    assert api_as(cast["ada"]).get(url(post)).json()["counts"]["replies"] == 2
    assert len(api_as(cast["stranger"]).get(url(post, "replies/")).json()["results"]) == 1


def test_a_reply_names_its_parent_only_to_who_may_read_it(api_as, cast):
    hidden = write(cast["ada"], "followers", "For followers")
    reply = write(cast["follower"], "public", "Replying", reply_to=hidden)  # takes the parent's reach
    assert reply.visibility == "followers"
    open_parent = write(cast["ada"], "public", "Open")
    mention = write(cast["mentioned"], "public", "Also @stranger", reply_to=open_parent)
    BlockFactory(blocker=cast["ada"], blocked=cast["stranger"])
    body = api_as(cast["stranger"]).get(url(mention)).json()
    assert body["is_reply"] is True and body["reply_to"] is None
    assert api_as(cast["follower"]).get(url(reply)).json()["reply_to"] == hidden.pk


def test_a_repost_shows_its_original_and_disappears_with_it_from_readers(api_as, cast):
    original = write(cast["ada"], "public", "Worth sharing")
    client = api_as(cast["follower"])
    made = client.post(f"{API}posts/", {"repost_of": original.pk}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["repost_of"]["id"] == original.pk and body["repost_of"]["text"] == "Worth sharing"
    again = client.post(f"{API}posts/", {"repost_of": original.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    # The blocked person cannot read the original, so not its repost either.
    error_of(api_as(cast["blocked"]).get(f"{API}posts/{body['id']}/"), 404)


def test_only_public_posts_are_reposted(api_as, cast):
    post = write(cast["ada"], "followers")
    error_of(api_as(cast["follower"]).post(f"{API}posts/", {"repost_of": post.pk}, format="json"), 403)
    error_of(api_as(cast["follower"]).put(url(post, "repost/")), 403)
    assert not Post.objects.filter(repost_of=post).exists()


# --- Writing -----------------------------------------------------------------------------------


def test_writing_a_post_with_a_warning_and_hashtags(api_as, cast):
    data = {"text": "Spoilers #Films", "content_warning": "Plot", "visibility": "followers"}
    response = api_as(cast["ada"]).post(f"{API}posts/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visibility"] == "followers" and body["content_warning"] == "Plot"
    assert body["author"]["handle"] == "ada" and body["viewer"]["may_edit"] is True
    assert 'href="/social/tags/films/"' in body["html"] or "#Films" in body["html"]


def test_writing_to_an_audience_takes_a_member(api_as, cast):
    data = {"text": "Club news", "visibility": "audience", "audience": AUDIENCE}
    assert api_as(cast["ada"]).post(f"{API}posts/", data, format="json").status_code == 201
    refused = api_as(cast["stranger"]).post(f"{API}posts/", data, format="json")
    assert "visibility" in error_of(refused, 400)["fields"]
    assert Post.objects.filter(author=cast["stranger"]).count() == 0


def test_a_reply_through_the_api(api_as, cast):
    post = write(cast["ada"])
    response = api_as(cast["follower"]).post(f"{API}posts/", {"text": "Indeed", "reply_to": post.pk}, format="json")
    assert response.status_code == 201 and response.json()["reply_to"] == post.pk
    assert api_as(None).get(url(post, "replies/")).json()["results"][0]["text"] == "Indeed"


def test_images_come_as_multipart_with_their_alt_text(api_as, cast):
    data = {"text": "Two pictures", "image_1": image_upload("a.png"), "alt_1": "A blue square"}
    data |= {"image_2": image_upload("b.png"), "alt_2": "Another"}
    response = api_as(cast["ada"]).post(f"{API}posts/", data, format="multipart")
    assert response.status_code == 201, response.content
    images = response.json()["images"]
    assert [image["alt"] for image in images] == ["A blue square", "Another"]
    assert images[0]["url"].startswith("http") and images[0]["width"] == 64


def test_an_image_that_is_not_one_is_a_400_and_writes_nothing(api_as, cast):
    data = {"text": "Hm", "image_1": image_upload("a.png", content=b"not an image")}
    error = error_of(api_as(cast["ada"]).post(f"{API}posts/", data, format="multipart"), 400)
    assert "image_1" in error["fields"]
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"text": "hi", "visibility": "everyone"}, "visibility"),
        ({"text": "hi", "content_warning": "w" * 201}, "content_warning"),
        ({"text": "hi", "reply_to": 0}, "reply_to"),
        ({"text": "hi", "reply_to": 2**70}, "reply_to"),
        ({"text": "hi", "reply_to": "abc"}, "reply_to"),
        ({"text": "nul \x00"}, "text"),
        ({"text": "hi", "body": {"not": "a list"}}, "body"),
        ({"text": "hi", "repost_of": 1}, "text"),
        ({"text": "hi", "visibility": "audience"}, "visibility"),
    ],
)
def test_bad_input_is_a_400_naming_its_field_and_writes_nothing(api_as, cast, data, field):
    if data.get("repost_of"):
        data["repost_of"] = write(cast["ada"]).pk
    before = Post.objects.count()
    error = error_of(api_as(cast["ada"]).post(f"{API}posts/", data, format="json"), 400)
    assert field in error["fields"], error
    assert Post.objects.count() == before


def test_a_body_that_is_not_json_is_a_400(api_as, cast):
    response = api_as(cast["ada"]).post(f"{API}posts/", "{nope", content_type="application/json")
    error_of(response, 400)


def test_editing_keeps_the_earlier_text_in_its_history(api_as, cast):
    post = write(cast["ada"], "public", "First try")
    client = api_as(cast["ada"])
    edited = client.patch(url(post), {"text": "Second try"}, format="json")
    assert edited.status_code == 200 and edited.json()["text"] == "Second try" and edited.json()["edited_at"]
    client.patch(url(post), {"content_warning": "Now with a warning"}, format="json")
    history = api_as(None).get(url(post, "history/")).json()["results"]
    assert [row["text"] for row in history] == ["Second try", "First try"]
    error_of(client.patch(url(post), {"text": ""}, format="json"), 400)


# --- Switches, lists of a post ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "post"])
def test_liking_is_idempotent_and_unliking_too(api_as, cast, method):
    post = write(cast["ada"])
    client = api_as(cast["follower"])
    for _ in range(2):
        body = getattr(client, method)(url(post, "like/")).json()
        assert body["viewer"]["liked"] is True and body["counts"]["likes"] == 1
    for _ in range(2):
        body = client.delete(url(post, "like/")).json()
        assert body["viewer"]["liked"] is False and body["counts"]["likes"] == 0
    assert not Like.objects.exists()


def test_reposting_and_unreposting_by_the_switch(api_as, cast):
    post = write(cast["ada"])
    client = api_as(cast["stranger"])
    assert client.put(url(post, "repost/")).json()["viewer"]["reposted"] is True
    assert client.put(url(post, "repost/")).json()["counts"]["reposts"] == 1
    reposters = api_as(None).get(url(post, "reposts/")).json()["results"]
    assert [row["handle"] for row in reposters] == ["stranger"]
    assert client.delete(url(post, "repost/")).json()["viewer"]["reposted"] is False
    assert not Post.objects.filter(repost_of=post).exists()


def test_bookmarks_are_private_and_listed_latest_first(api_as, cast):
    first, second = write(cast["ada"], "public", "one"), write(cast["ada"], "public", "two")
    client = api_as(cast["follower"])
    client.put(url(second, "bookmark/"))
    client.put(url(first, "bookmark/"))
    client.put(url(first, "bookmark/"))
    assert Bookmark.objects.count() == 2
    listed = client.get(f"{API}bookmarks/").json()["results"]
    assert [row["id"] for row in listed] == [first.pk, second.pk]
    assert all(row["viewer"]["bookmarked"] for row in listed)
    page = client.get(f"{API}bookmarks/", {"page_size": 1}).json()
    following = client.get(page["next"]).json()
    assert [page["results"][0]["id"], following["results"][0]["id"]] == [first.pk, second.pk]
    assert api_as(cast["stranger"]).get(f"{API}bookmarks/").json()["results"] == []


def test_who_liked_leaves_out_people_across_a_block_with_the_caller(api_as, cast):
    post = write(cast["ada"])
    for who in ("follower", "stranger"):
        services.post_like(user=cast[who], post=post)
    BlockFactory(blocker=cast["stranger"], blocked=cast["member"])
    assert [row["handle"] for row in api_as(cast["member"]).get(url(post, "likes/")).json()["results"]] == ["follower"]
    assert len(api_as(None).get(url(post, "likes/")).json()["results"]) == 2


def test_a_deleted_post_cannot_be_liked(api_as, cast):
    post = write(cast["ada"])
    services.post_delete(actor=cast["ada"], post=post)
    error_of(api_as(cast["follower"]).put(url(post, "like/")), 403)


# --- Cursor pages and queries -----------------------------------------------------------------


def test_replies_by_cursor_are_stable_under_new_replies(api_as, cast):
    post = write(cast["ada"])
    replies = [write(cast["follower"], "public", f"reply {i}", reply_to=post) for i in range(5)]
    client = api_as(cast["stranger"])
    first = client.get(url(post, "replies/"), {"page_size": 2}).json()
    write(cast["follower"], "public", "a late one", reply_to=post)
    seen = [row["id"] for row in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen[:5] == [reply.pk for reply in replies] and len(seen) == len(set(seen)) == 6


def test_a_bad_cursor_is_a_json_404(api_as, cast):
    post = write(cast["ada"])
    error_of(api_as(None).get(url(post, "replies/"), {"cursor": "nonsense"}), 404)


def test_a_persons_posts_by_filter(api_as, cast):
    plain = write(cast["ada"], "public", "Plain")
    reply = write(cast["ada"], "public", "Reply", reply_to=plain)
    pictured = services.post_create(author=cast["ada"], text="Look", images=[services.ImageInput(image_upload())])
    write(cast["ada"], "followers", "For followers")
    client = api_as(cast["stranger"])
    ids = {
        tab: [row["id"] for row in client.get(f"{API}profiles/ada/posts/", {"filter": tab}).json()["results"]]
        for tab in ("posts", "replies", "media")
    }
    assert ids == {"posts": [pictured.pk, plain.pk], "replies": [reply.pk], "media": [pictured.pk]}
    error_of(client.get(f"{API}profiles/ada/posts/", {"filter": "likes"}), 400)
    error_of(api_as(cast["blocked"]).get(f"{API}profiles/ada/posts/"), 404)
    error_of(client.get(f"{API}profiles/nobody/posts/"), 404)


def _crowd(cast, post, start: int, count: int) -> None:
    for i in range(start, start + count):
        fan = person(f"fan{i}")
        reply = write(fan, "public", f"@ada reply {i} #tag", reply_to=post)
        services.post_like(user=fan, post=post)
        services.post_bookmark(user=cast["follower"], post=reply)
        services.post_repost(user=fan, post=post)
        services.post_create(author=cast["ada"], text=f"a picture {i}", images=[services.ImageInput(image_upload())])


def test_lists_of_posts_cost_the_same_queries_whatever_their_length(api_as, cast, django_assert_max_num_queries):
    post = write(cast["ada"])
    client = api_as(cast["follower"])
    addresses = [
        url(post, "replies/"),
        url(post, "likes/"),
        url(post, "reposts/"),
        f"{API}bookmarks/",
        f"{API}profiles/ada/posts/",
    ]

    def counts() -> list[int]:
        found = []
        for address in addresses:
            client.get(address)  # warm: the session's caches
            with django_assert_max_num_queries(26) as queries:
                assert client.get(address, {"page_size": 20}).status_code == 200
            found.append(len(queries))
        return found

    _crowd(cast, post, 0, 2)
    few = counts()
    _crowd(cast, post, 2, 10)
    assert counts() == few


# --- Idempotency -------------------------------------------------------------------------------


def test_a_retried_create_with_its_key_makes_one_post(api_as, cast):
    client = api_as(cast["ada"])
    first = client.post(f"{API}posts/", {"text": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="post-1")
    again = client.post(f"{API}posts/", {"text": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="post-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
    assert Post.objects.filter(author=cast["ada"]).count() == 1
    other = client.post(f"{API}posts/", {"text": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="post-1")
    assert error_of(other, 422)["code"] == "idempotency_key_reused"


@pytest.mark.django_db(transaction=True)
def test_a_race_of_identical_creates_with_one_key_makes_one_post(api_as):
    ada = person("ada")

    def create(_: int) -> tuple[int, bytes]:
        try:
            response = api_as(ada).post(f"{API}posts/", {"text": "Racing"}, format="json", HTTP_IDEMPOTENCY_KEY="race")
            return response.status_code, response.content
        finally:
            connections.close_all()  # this thread's own: the test database is dropped at the end

    # In-process: fewer threads than the database pool's connections.
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(create, range(8)))
    assert {code for code, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert Post.objects.filter(author=ada).count() == 1
