"""Writing and reviewing posts through the API: drafts, review, publication; who may do each, and
that a refusal (401, 403, 404, 400, 409) changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from apps.blog.models import Post
from apps.blog.services import post_request_changes, post_schedule, post_submit
from apps.core.accounts import services as core_services
from apps.core.api.auth_views import issue_tokens
from apps.core.publishing import revisions
from tests.blog.api.support import MINE, POSTS, REVIEW, action_url, error_of, png, post_url
from tests.blog.factories import CategoryFactory, make_post, paragraph
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

WHO = ["author", "other_author", "blog_admin", "admin", "member", "anonymous"]


def matrix(**expected: int) -> list[tuple[str, int]]:
    assert set(expected) == set(WHO)
    return list(expected.items())


def state(post: Post) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    row = Post.objects.get(pk=post.pk)
    return (row.live, row.latest_revision, row.live_revision, row.review_state, row.review_note, row.go_live_at)


def new_post(**fields: Any) -> dict[str, Any]:
    return {"title": "A new post", "body": [paragraph("First words.")], **fields}


# --- Starting a post ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    matrix(author=201, other_author=201, blog_admin=201, admin=201, member=403, anonymous=401),
)
def test_who_may_start_a_post(api_as, people, who, expected):
    response = api_as(people[who]).post(POSTS, new_post(), format="json")

    assert response.status_code == expected, response.content
    if expected == 201:
        assert Post.objects.get().author == people[who]
    else:
        error_of(response, expected)
        assert not Post.objects.exists()


def test_a_new_post_is_a_draft_at_revision_one_that_nobody_else_sees(api_as, author, news):
    response = api_as(author).post(
        POSTS,
        new_post(excerpt="Short.", categories=[news.pk], tags=["Django", "Brand new tag"]),
        format="json",
    )

    assert response.status_code == 201, response.content
    draft = response.json()
    post = Post.objects.get()
    assert response["Location"].endswith(f"/api/v1/blog/posts/{post.pk}/draft/")
    assert draft["id"] == post.pk and draft["latest_revision"] == 1 and draft["live_revision"] is None
    assert draft["status"] == "draft" and draft["review_state"] == "draft" and draft["url"] is None
    assert draft["title"] == "A new post" and draft["slug"] == "a-new-post" and draft["excerpt"] == "Short."
    assert draft["categories"] == [news.pk] and draft["tags"] == ["brand-new-tag", "django"]
    assert draft["body"][0]["html"] == "<p>First words.</p>" and "First words." in draft["body_html"]
    assert draft["author"] == {"id": author.pk, "display_name": "Art Author"}
    assert api_as(None).get(POSTS).json()["count"] == 0
    error_of(api_as(author).get(post_url("a-new-post")), 404)


def test_a_new_post_may_come_with_a_cover_as_a_multipart_form(api_as, author, media_storage):
    response = api_as(author).post(
        POSTS,
        {"title": "With a cover", "body": '[{"type": "rich_text", "html": "<p>x</p>"}]', "cover": png()},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    cover = response.json()["cover"]
    assert [r["width"] for r in cover["renditions"]] == [480, 960, 1200]


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "not blocks"}, "body"),
        ({"body": [{"type": "marquee"}]}, "body"),
        ({"slug": "mine"}, "slug"),
        ({"slug": "not a slug"}, "slug"),
        ({"categories": [9999]}, "categories"),
        ({"categories": ["news"]}, "categories.0"),  # a list item is named by its position
        ({"tags": [f"tag {n}" for n in range(11)]}, "tags"),
        ({"tags": ["!!!"]}, "tags"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(api_as, author, sent, field):
    response = api_as(author).post(POSTS, new_post(**sent), format="json")

    error = error_of(response, 400)
    assert error["code"] == "invalid" and list(error["fields"]) == [field], error
    assert not Post.objects.exists()


def test_an_address_another_post_holds_is_refused(api_as, author, other_author):
    make_post(author=other_author, slug="taken")

    error = error_of(api_as(author).post(POSTS, new_post(slug="taken"), format="json"), 400)

    assert list(error["fields"]) == ["slug"]
    assert Post.objects.count() == 1


def test_a_body_problem_names_the_block(api_as, author):
    body = [paragraph("fine"), {"type": "cta", "text": "Go", "url": "javascript:alert(1)"}]

    error = error_of(api_as(author).post(POSTS, new_post(body=body), format="json"), 400)

    assert error["fields"]["body"][0].startswith("Block 2 (cta): url")


# --- The draft -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    matrix(author=200, other_author=404, blog_admin=200, admin=200, member=404, anonymous=401),
)
def test_who_may_read_a_draft(api_as, people, author, who, expected):
    post = make_post(author=author, title="Work in progress")

    response = api_as(people[who]).get(action_url(post.pk, "draft"))

    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["title"] == "Work in progress"
    else:
        error_of(response, expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    matrix(author=200, other_author=403, blog_admin=200, admin=200, member=403, anonymous=401),
)
def test_who_may_read_the_draft_of_a_live_post(api_as, people, author, blog_admin, who, expected):
    post = make_post(author=author, live=True, publisher=blog_admin)

    assert api_as(people[who]).get(action_url(post.pk, "draft")).status_code == expected


def test_an_unknown_post_is_a_404_like_a_hidden_draft(api_as, other_author, author):
    hidden = make_post(author=author)

    unknown = error_of(api_as(other_author).get(action_url(hidden.pk + 1000, "draft")), 404)

    assert unknown == error_of(api_as(other_author).get(action_url(hidden.pk, "draft")), 404)


@pytest.mark.parametrize(
    ("who", "expected"),
    matrix(author=200, other_author=404, blog_admin=200, admin=200, member=404, anonymous=401),
)
def test_who_may_save_a_draft(api_as, people, author, who, expected):
    post = make_post(author=author, title="Before")
    before = state(post)

    response = api_as(people[who]).patch(action_url(post.pk, "draft"), {"title": "After", "based_on": 1}, format="json")

    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["title"] == "After" and response.json()["latest_revision"] == 2
    else:
        error_of(response, expected)
        assert state(post) == before and revisions.revision_read(post, 2) is None


def test_others_may_not_save_the_draft_of_a_live_post(api_as, other_author, member, author, blog_admin):
    post = make_post(author=author, live=True, publisher=blog_admin)
    before = state(post)

    for user in (other_author, member):
        response = api_as(user).patch(action_url(post.pk, "draft"), {"title": "Mine", "based_on": 1}, format="json")
        assert error_of(response, 403)["code"] == "permission_denied"
    assert state(post) == before


def test_saving_keeps_the_fields_left_out_and_leaves_the_live_post_alone(api_as, author, blog_admin, news):
    post = make_post(author=author, live=True, publisher=blog_admin, slug="kept", title="Live title", categories=[news])

    response = api_as(author).patch(
        action_url(post.pk, "draft"), {"title": "Draft title", "based_on": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    draft = response.json()
    assert draft["title"] == "Draft title" and draft["slug"] == "kept" and draft["categories"] == [news.pk]
    assert draft["body"][0]["html"].startswith("<p>Words of post")
    assert draft["status"] == "live, with unpublished changes" and draft["url"].endswith("/blog/kept/")
    assert api_as(None).get(post_url("kept")).json()["title"] == "Live title"


def test_a_stale_based_on_is_a_409_and_saves_nothing(api_as, author, blog_admin):
    post = make_post(author=author, title="Original")
    first = api_as(blog_admin).patch(action_url(post.pk, "draft"), {"title": "Admin's", "based_on": 1}, format="json")
    assert first.status_code == 200

    response = api_as(author).patch(action_url(post.pk, "draft"), {"title": "Author's", "based_on": 1}, format="json")

    error = error_of(response, 409)
    assert error["code"] == "conflict"
    assert "Revision 2 was saved" in error["message"] and "after you opened revision 1" in error["message"]
    assert Post.objects.get(pk=post.pk).latest_revision == 2
    assert revisions.revision_read(post, 2)["content"]["title"] == "Admin's"
    assert revisions.revision_read(post, 3) is None


def test_a_draft_save_without_based_on_or_with_bad_fields_is_a_400(api_as, author):
    post = make_post(author=author)
    before = state(post)
    client = api_as(author)

    missing = error_of(client.patch(action_url(post.pk, "draft"), {"title": "x"}, format="json"), 400)
    unknown = error_of(
        client.patch(action_url(post.pk, "draft"), {"categories": [424242], "based_on": 1}, format="json"), 400
    )

    assert list(missing["fields"]) == ["based_on"]
    assert list(unknown["fields"]) == ["categories"] and "424242" in unknown["fields"]["categories"][0]
    assert state(post) == before


def test_a_cover_may_be_added_and_removed(api_as, author, media_storage):
    post = make_post(author=author)
    client = api_as(author)

    added = client.patch(action_url(post.pk, "draft"), {"based_on": 1, "cover": png()}, format="multipart")
    removed = client.patch(action_url(post.pk, "draft"), {"based_on": 2, "remove_cover": True}, format="json")

    assert added.status_code == 200, added.content
    assert added.json()["cover"]["renditions"]
    assert removed.json()["cover"] is None and removed.json()["latest_revision"] == 3


def test_a_file_that_is_not_an_image_is_refused_as_a_cover(api_as, author, media_storage):
    fake = SimpleUploadedFile("cover.png", b"not a picture", content_type="image/png")

    error = error_of(api_as(author).post(POSTS, {"title": "x", "cover": fake}, format="multipart"), 400)

    assert list(error["fields"]) == ["cover"]
    assert not Post.objects.exists()


# --- Review and publication: who ----------------------------------------------------------------------


def _draft(author) -> Post:  # type: ignore[no-untyped-def]
    return make_post(author=author)


def _submitted(author) -> Post:  # type: ignore[no-untyped-def]
    post = make_post(author=author)
    return post_submit(post=post, author=author)


def _scheduled(author) -> Post:  # type: ignore[no-untyped-def]
    post = make_post(author=author)
    reviewer = UserFactory(roles=["blog_admin"])
    return post_schedule(post=post, publisher=reviewer, go_live_at=timezone.now() + timedelta(days=1))


def _live(author) -> Post:  # type: ignore[no-untyped-def]
    return make_post(author=author, live=True)


def _tomorrow() -> str:
    return (timezone.now() + timedelta(days=1)).isoformat()


ACTIONS = {
    # action: (how the post starts, HTTP method, data)
    "submit": (_draft, "post", {}),
    "publish": (_draft, "post", {}),
    "request-changes": (_submitted, "post", {"note": "Shorter, please."}),
    "schedule": (_draft, "post", {"go_live_at": None}),
    "unschedule": (_scheduled, "delete", {}),
    "unpublish": (_live, "post", {}),
}
EDITORS = matrix(author=200, other_author=404, blog_admin=200, admin=200, member=404, anonymous=401)
PUBLISHERS = matrix(author=403, other_author=404, blog_admin=200, admin=200, member=404, anonymous=401)
PUBLISHERS_OF_LIVE = matrix(author=403, other_author=403, blog_admin=200, admin=200, member=403, anonymous=401)
EXPECTED = {
    "submit": EDITORS,
    "publish": PUBLISHERS,
    "request-changes": PUBLISHERS,
    "schedule": PUBLISHERS,
    "unschedule": PUBLISHERS,
    "unpublish": PUBLISHERS_OF_LIVE,
}


@pytest.mark.parametrize(
    ("action", "who", "expected"),
    [(action, who, code) for action, cases in EXPECTED.items() for who, code in cases],
)
def test_who_may_review_and_publish(api_as, people, author, action, who, expected):
    start, method, data = ACTIONS[action]
    post = start(author)
    if "go_live_at" in data:
        data = {"go_live_at": _tomorrow()}
    before = state(post)
    url = action_url(post.pk, "schedule" if action == "unschedule" else action)

    response = getattr(api_as(people[who]), method)(url, data, format="json")

    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["id"] == post.pk
    else:
        error_of(response, expected)
        assert state(post) == before


@pytest.mark.parametrize("action", ["publish", "request-changes", "schedule"])
def test_others_may_not_publish_a_live_post_they_can_see(api_as, other_author, member, author, action):
    post = make_post(author=author, live=True)
    before = state(post)
    data = {"note": "x", "go_live_at": _tomorrow()}

    for user in (other_author, member, author):
        assert error_of(api_as(user).post(action_url(post.pk, action), data, format="json"), 403)
    assert state(post) == before


# --- Review and publication: what happens --------------------------------------------------------------


def test_an_author_submits_a_blog_admin_asks_for_changes_then_publishes(
    api_as, author, blog_admin, django_capture_on_commit_callbacks
):
    post = make_post(author=author, slug="journey")
    writer, reviewer = api_as(author), api_as(blog_admin)

    submitted = writer.post(action_url(post.pk, "submit")).json()
    queue = reviewer.get(REVIEW).json()
    asked = reviewer.post(action_url(post.pk, "request-changes"), {"note": "Add an example."}, format="json").json()
    mine = writer.get(MINE).json()["results"][0]
    writer.patch(action_url(post.pk, "draft"), {"excerpt": "Now with an example.", "based_on": 1}, format="json")
    resubmitted = writer.post(action_url(post.pk, "submit")).json()
    with django_capture_on_commit_callbacks(execute=True):
        published = reviewer.post(action_url(post.pk, "publish"), {}, format="json").json()

    assert submitted["review_state"] == "submitted" and submitted["submitted_at"]
    assert [p["id"] for p in queue["results"]] == [post.pk]
    assert asked["review_state"] == "changes_requested" and asked["review_note"] == "Add an example."
    assert mine["review_state"] == "changes_requested" and mine["review_note"] == "Add an example."
    assert resubmitted["review_state"] == "submitted" and resubmitted["latest_revision"] == 2
    assert published["status"] == "live" and published["live_revision"] == 2
    assert published["review_state"] == "draft" and published["url"].endswith("/blog/journey/")
    assert api_as(None).get(post_url("journey")).json()["excerpt"] == "Now with an example."
    assert reviewer.get(REVIEW).json()["count"] == 0


def test_submitting_twice_or_an_empty_post_is_a_400(api_as, author):
    post = make_post(author=author)
    empty = make_post(author=author, body=[])
    client = api_as(author)
    client.post(action_url(post.pk, "submit"))

    again = error_of(client.post(action_url(post.pk, "submit")), 400)
    nothing = error_of(client.post(action_url(empty.pk, "submit")), 400)

    assert "already waiting for review" in again["message"]
    assert "needs a body" in nothing["message"]
    assert Post.objects.get(pk=empty.pk).review_state == "draft"


def test_a_request_for_changes_needs_a_note_and_a_submitted_post(api_as, author, blog_admin):
    draft = make_post(author=author)
    submitted = _submitted(author)
    client = api_as(blog_admin)

    no_note = error_of(client.post(action_url(submitted.pk, "request-changes"), {"note": " "}, format="json"), 400)
    not_waiting = error_of(client.post(action_url(draft.pk, "request-changes"), {"note": "x"}, format="json"), 400)

    assert list(no_note["fields"]) == ["note"]
    assert "not waiting for review" in not_waiting["message"]
    assert Post.objects.get(pk=submitted.pk).review_state == "submitted"


def test_publishing_a_revision_that_does_not_exist_is_a_400(api_as, author, blog_admin):
    post = make_post(author=author)

    error = error_of(api_as(blog_admin).post(action_url(post.pk, "publish"), {"revision": 7}, format="json"), 400)

    assert list(error["fields"]) == ["revision"]
    assert not Post.objects.get(pk=post.pk).live


def test_a_post_is_scheduled_then_the_schedule_cancelled(api_as, author, blog_admin):
    post = make_post(author=author)
    client = api_as(blog_admin)
    when = timezone.now() + timedelta(hours=3)

    scheduled = client.post(action_url(post.pk, "schedule"), {"go_live_at": when.isoformat()}, format="json").json()
    past = client.post(
        action_url(post.pk, "schedule"), {"go_live_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    )
    cancelled = client.delete(action_url(post.pk, "schedule")).json()

    assert scheduled["status"] == "scheduled" and scheduled["scheduled_revision"] == 1
    assert scheduled["go_live_at"].startswith(when.strftime("%Y-%m-%dT%H:%M"))
    assert list(error_of(past, 400)["fields"]) == ["go_live_at"]
    assert cancelled["status"] == "draft" and cancelled["go_live_at"] is None
    assert api_as(None).get(POSTS).json()["count"] == 0


def test_an_unpublished_post_leaves_the_blog_at_once(api_as, author, blog_admin, django_capture_on_commit_callbacks):
    post = make_post(author=author, live=True, publisher=blog_admin, slug="going")
    assert api_as(None).get(post_url("going")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(blog_admin).post(action_url(post.pk, "unpublish"))

    assert response.json()["status"] == "draft" and response.json()["url"] is None
    error_of(api_as(None).get(post_url("going")), 404)
    assert api_as(None).get(POSTS).json()["count"] == 0
    assert api_as(author).get(action_url(post.pk, "draft")).status_code == 200  # the author keeps it


# --- Lists of one's own posts and of the review queue -------------------------------------------------


def test_my_posts_are_mine_in_every_state_with_the_newest_drafts_titles(api_as, author, other_author, blog_admin):
    live = make_post(author=author, live=True, publisher=blog_admin, title="Published title")
    api_as(author).patch(action_url(live.pk, "draft"), {"title": "Newer title", "based_on": 1}, format="json")
    waiting = _submitted(author)
    make_post(author=other_author)

    results = api_as(author).get(MINE).json()["results"]

    assert [p["id"] for p in results] == [waiting.pk, live.pk]
    assert results[0]["review_state"] == "submitted" and results[0]["status"] == "draft"
    assert results[1]["title"] == "Newer title" and results[1]["status"] == "live, with unpublished changes"


@pytest.mark.parametrize(
    ("who", "expected"),
    matrix(author=200, other_author=200, blog_admin=200, admin=200, member=403, anonymous=401),
)
def test_who_may_list_their_posts(api_as, people, author, who, expected):
    make_post(author=author)

    response = api_as(people[who]).get(MINE)

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == (1 if who == "author" else 0)


@pytest.mark.parametrize(
    ("who", "expected"),
    matrix(author=403, other_author=403, blog_admin=200, admin=200, member=403, anonymous=401),
)
def test_who_may_read_the_review_queue(api_as, people, author, who, expected):
    _submitted(author)

    response = api_as(people[who]).get(REVIEW)

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == 1


def test_the_review_queue_lists_the_longest_waiting_first(api_as, author, other_author, blog_admin):
    first = _submitted(author)
    second = _submitted(other_author)
    make_post(author=author)

    results = api_as(blog_admin).get(REVIEW).json()["results"]

    assert [p["id"] for p in results] == [first.pk, second.pk]
    assert results[1]["author"]["display_name"] == "Olga Other"


@pytest.mark.parametrize("count", [1, 15])
def test_my_posts_cost_the_same_queries_for_one_post_or_many(author, blog_admin, django_assert_num_queries, count):
    for _ in range(count):
        post = make_post(author=author)
        post_submit(post=post, author=author)
        post_request_changes(post=post, reviewer=blog_admin, note="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(author)['access']}")

    # The token's user with their roles, the count, the posts with their authors (and one
    # document query for the newest drafts).
    with django_assert_num_queries(4):
        response = client.get(MINE)

    assert response.json()["count"] == count


# --- Methods and authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "submit"),
        ("get", "publish"),
        ("put", "draft"),
        ("delete", "draft"),
        ("get", "unpublish"),
        ("put", "schedule"),
        ("get", "request-changes"),
    ],
)
def test_wrong_methods_are_a_405_in_the_error_shape(api_as, author, blog_admin, method, url):
    post = make_post(author=author)

    response = getattr(api_as(blog_admin), method)(action_url(post.pk, url))

    assert error_of(response, 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_post_list_takes_only_get_and_post(api_as, blog_admin, method):
    assert error_of(getattr(api_as(blog_admin), method)(POSTS, {}), 405)["code"] == "method_not_allowed"


def test_an_anonymous_write_is_a_401_asking_for_a_bearer_token(api_as, author):
    post = make_post(author=author)

    response = api_as(None).patch(action_url(post.pk, "draft"), {"based_on": 1}, format="json")

    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_author_signs_in_for_a_token_then_writes_with_it(author):
    client = APIClient()
    tokens = client.post("/api/v1/auth/token/", {"email": author.email, "password": DEFAULT_PASSWORD}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    created = client.post(POSTS, new_post(), format="json")

    assert created.status_code == 201, created.content
    assert client.get(MINE).json()["results"][0]["id"] == created.json()["id"]


def test_a_token_issued_before_a_role_change_is_a_401(author):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(author)['access']}")
    core_services.role_revoke(actor=None, user=author, role="blog_author")

    response = client.post(POSTS, new_post(), format="json")

    assert error_of(response, 401)["code"] == "token_outdated"
    assert not Post.objects.exists()


def test_a_forged_token_is_a_401(author):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    assert error_of(client.get(MINE), 401)["code"] == "token_not_valid"


def test_a_signed_in_session_works_too_with_its_csrf_token(author):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(author)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret

    refused = client.post(POSTS, new_post(), format="json")
    created = client.post(POSTS, new_post(), format="json", HTTP_X_CSRFTOKEN=secret)
    mine = client.get(MINE)

    assert "CSRF" in error_of(refused, 403)["message"]
    assert created.status_code == 201, created.content
    assert mine.json()["count"] == 1


def test_a_member_with_a_session_may_not_write(member):
    client = APIClient()
    client.force_login(member)

    assert error_of(client.post(POSTS, new_post(), format="json"), 403)["code"] == "permission_denied"
    assert error_of(client.get(MINE), 403)["code"] == "permission_denied"


def test_a_new_category_used_by_a_draft_is_listed_with_its_id(api_as, author):
    howto = CategoryFactory(name="How to")

    response = api_as(author).post(POSTS, new_post(categories=[howto.pk, howto.pk]), format="json")

    assert response.json()["categories"] == [howto.pk]
