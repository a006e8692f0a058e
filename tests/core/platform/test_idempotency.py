"""Idempotent unsafe requests (apps/core/platform/idempotency.py): replay, 422 for a reused key,
409 after the wait, scoping, the forms' hidden key, what is kept and what is not, pruning.

The race of twenty at once against a real server is tests/faults/test_idempotency_race.py."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from apps.blog.models import Post
from apps.core.comments.models import Comment
from apps.core.models import IdempotencyKey, WorkerHeartbeat
from apps.core.platform import idempotency
from apps.core.platform.tasks import idempotency_prune
from tests.api_clients import jwt_client
from tests.blog.factories import paragraph
from tests.core.comments.factories import CommentFactory
from tests.core.factories import DEFAULT_PASSWORD

POSTS = "/api/v1/blog/posts/"
TOKEN = "/api/v1/auth/token/"
HTMX = {"HTTP_HX_REQUEST": "true"}
FIELD_RE = re.compile(r'name="_idempotency" value="([^"]+)"')


api_as = jwt_client


def new_post(title: str = "Written once") -> dict[str, Any]:
    return {"title": title, "body": [paragraph("First words.")]}


def create(client: APIClient, key: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(POSTS, body or new_post(), format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error["code"]


@pytest.fixture
def author(user_with_role):
    return user_with_role("blog_author", display_name="Ada Author")


@pytest.fixture
def short_wait(settings):
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.3


# --- The API: replay, reuse, in progress -----------------------------------------------------


def test_a_repeat_with_the_same_key_replays_the_first_answer_and_writes_nothing(author):
    client = api_as(author)
    first = create(client, "order-1")
    again = create(client, "order-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again[idempotency.REPLAYED] == "true" and idempotency.REPLAYED not in first
    assert Post.objects.filter(title="Written once").count() == 1


def test_without_a_key_every_request_runs(author):
    client = api_as(author)
    client.post(POSTS, new_post(), format="json")
    client.post(POSTS, new_post(), format="json")
    assert Post.objects.filter(title="Written once").count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(author):
    client = api_as(author)
    create(client, "order-2")
    response = create(client, "order-2", new_post("Something else"))
    assert error_code(response, 422) == "idempotency_key_reused"
    assert not Post.objects.filter(title="Something else").exists()


def test_the_same_key_on_another_query_string_is_another_request(author):
    client = api_as(author)
    create(client, "order-3")
    response = client.post(f"{POSTS}?x=1", new_post(), format="json", HTTP_IDEMPOTENCY_KEY="order-3")
    assert error_code(response, 422) == "idempotency_key_reused"


def test_a_request_still_running_after_the_wait_is_a_409_with_retry_after(author, short_wait):
    client = api_as(author)
    create(client, "order-4")
    # As if the first were still running: no answer yet, its lease alive.
    IdempotencyKey.objects.update(
        status_code=None, lease_token="another", lease_until=timezone.now() + timedelta(minutes=1)
    )
    response = create(client, "order-4")
    assert error_code(response, 409) == "idempotency_in_progress"
    assert response["Retry-After"] == "1"
    assert Post.objects.filter(title="Written once").count() == 1


def test_a_claim_left_by_an_attempt_that_died_runs_again_once_its_lease_is_over(author):
    client = api_as(author)
    create(client, "order-5")
    # The attempt died mid-request: its writes rolled back, its claim has no answer, the lease ran out.
    Post.objects.filter(title="Written once").delete()
    IdempotencyKey.objects.update(status_code=None, lease_token="dead", lease_until=timezone.now())
    response = create(client, "order-5")
    assert response.status_code == 201 and idempotency.REPLAYED not in response
    assert Post.objects.filter(title="Written once").count() == 1
    assert create(client, "order-5")[idempotency.REPLAYED] == "true"


def test_a_body_past_djangos_in_memory_limit_is_fingerprinted_and_still_parsed(author):
    """An upload bigger than DATA_UPLOAD_MAX_MEMORY_SIZE is hashed as it is copied aside, and the
    view's parser reads the copy: the post is made once, with its cover."""
    noise = Image.frombytes("RGB", (1200, 900), os.urandom(1200 * 900 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = api_as(author)

    def send() -> Any:
        cover = SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")
        body = {"title": "A big cover", "body": json.dumps([paragraph("x")]), "cover": cover}
        return client.post(POSTS, body, format="multipart", HTTP_IDEMPOTENCY_KEY="big")

    first, again = send(), send()
    assert first.status_code == again.status_code == 201, first.content
    assert first.json()["cover"] and again.content == first.content
    assert Post.objects.filter(title="A big cover").count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_a_400_and_nothing_runs(author, key):
    response = create(api_as(author), key)
    assert error_code(response, 400) == "invalid_idempotency_key"
    assert not Post.objects.exists()


def test_a_key_of_255_characters_is_taken(author):
    assert create(api_as(author), "k" * 255).status_code == 201


def test_a_refused_write_is_kept_too(author, member):
    client = api_as(member)  # no blog role: 403
    first = create(client, "order-6")
    again = create(client, "order-6")
    assert first.status_code == again.status_code == 403
    assert again.content == first.content and again[idempotency.REPLAYED] == "true"


def test_an_invalid_token_is_answered_by_the_view_and_claims_nothing(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert create(client, "order-7").status_code == 401
    assert not IdempotencyKey.objects.exists()


# --- Whose key ---------------------------------------------------------------------------------


def test_another_users_same_key_runs_separately(author, user_with_role):
    other = user_with_role("blog_author")
    assert create(api_as(author), "shared").status_code == 201
    response = create(api_as(other), "shared")
    assert response.status_code == 201 and idempotency.REPLAYED not in response
    assert Post.objects.filter(title="Written once").count() == 2
    assert set(IdempotencyKey.objects.values_list("scope", flat=True)) == {f"user:{author.pk}", f"user:{other.pk}"}


def test_a_session_users_api_key_is_theirs(author):
    client = APIClient()
    client.force_login(author)
    create(client, "mine")
    assert IdempotencyKey.objects.get().scope == f"user:{author.pk}"


def test_the_token_endpoint_scopes_anonymous_keys_by_client_address(member):
    client = APIClient()
    sign_in = {"email": member.email, "password": DEFAULT_PASSWORD}
    first = client.post(TOKEN, sign_in, format="json", HTTP_IDEMPOTENCY_KEY="t1", REMOTE_ADDR="10.0.0.1")
    again = client.post(TOKEN, sign_in, format="json", HTTP_IDEMPOTENCY_KEY="t1", REMOTE_ADDR="10.0.0.1")
    elsewhere = client.post(TOKEN, sign_in, format="json", HTTP_IDEMPOTENCY_KEY="t1", REMOTE_ADDR="10.0.0.2")
    assert first.status_code == again.status_code == elsewhere.status_code == 200
    assert again.content == first.content and again[idempotency.REPLAYED] == "true"
    assert elsewhere.content != first.content and idempotency.REPLAYED not in elsewhere
    assert set(IdempotencyKey.objects.values_list("scope", flat=True)) == {"ip:10.0.0.1", "ip:10.0.0.2"}


def test_an_anonymous_visitor_with_a_session_is_scoped_by_it(member, mailoutbox, queued_work):
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    form = {"email": member.email, idempotency.FIELD: "reset-1"}
    with queued_work():
        first = client.post("/accounts/reset/", form)
        again = client.post("/accounts/reset/", form)
    assert first.status_code == again.status_code == 302 and again[idempotency.REPLAYED] == "true"
    assert len(mailoutbox) == 1
    assert IdempotencyKey.objects.get().scope.startswith("session:")
    assert session.session_key not in IdempotencyKey.objects.get().scope  # a digest, not the credential


def test_an_anonymous_visitor_without_a_session_is_scoped_by_address(member, mailoutbox, queued_work):
    form = {"email": member.email, idempotency.FIELD: "reset-2"}
    with queued_work():
        Client().post("/accounts/reset/", form, REMOTE_ADDR="10.1.1.1")
        Client().post("/accounts/reset/", form, REMOTE_ADDR="10.1.1.1")
    assert len(mailoutbox) == 1
    assert IdempotencyKey.objects.get().scope == "ip:10.1.1.1"


# --- Forms --------------------------------------------------------------------------------------


@pytest.fixture
def commenter(db, user_with_role):
    """A reader with an approved comment already (theirs publish at once) and the post's page."""
    from tests.blog.factories import PostFactory

    post = PostFactory(live=True, title="Threads", slug="threads")
    user = user_with_role(None, display_name="Reggie Regular")
    CommentFactory(target=post, author=user, body="An earlier comment.")
    return user, post


def comment_form(client: Client, post: Post) -> tuple[str, dict[str, str]]:
    page = client.get(f"/blog/{post.slug}/").content.decode()
    form = page[page.index('id="comment-form"') :]
    action = re.search(r'action="([^"]+)"', form).group(1)
    return action, {"body": "Posted once", idempotency.FIELD: FIELD_RE.search(form).group(1)}


@pytest.mark.parametrize("htmx", [False, True])
def test_a_form_sent_twice_writes_one_comment_and_answers_the_same_twice(client_for, commenter, htmx):
    user, post = commenter
    client = client_for(user)
    action, form = comment_form(client, post)
    extra = HTMX if htmx else {}
    first = client.post(action, form, **extra)
    again = client.post(action, form, **extra)
    assert first.status_code == again.status_code == (201 if htmx else 302)
    assert again.content == first.content and again[idempotency.REPLAYED] == "true"
    if htmx:
        assert again["HX-Retarget"] == first["HX-Retarget"]
    else:
        assert again["Location"] == first["Location"]
    assert Comment.objects.filter(body="Posted once").count() == 1


def test_every_rendering_of_a_form_carries_a_fresh_key(client_for, commenter):
    user, post = commenter
    client = client_for(user)
    assert comment_form(client, post)[1] != comment_form(client, post)[1]


def test_the_fresh_form_in_the_answer_has_a_new_key_for_the_next_comment(client_for, commenter):
    user, post = commenter
    client = client_for(user)
    action, form = comment_form(client, post)
    answer = client.post(action, form, **HTMX).content.decode()
    fresh = FIELD_RE.search(answer).group(1)
    assert fresh != form[idempotency.FIELD]
    second = client.post(action, {**form, "body": "A second thought", idempotency.FIELD: fresh}, **HTMX)
    assert second.status_code == 201
    assert Comment.objects.filter(author=user).count() == 3


def test_a_form_resent_with_other_content_is_a_422_page(client_for, commenter):
    user, post = commenter
    client = client_for(user)
    action, form = comment_form(client, post)
    client.post(action, form)
    response = client.post(action, {**form, "body": "Edited after going back"})
    assert response.status_code == 422
    assert b"already sent" in response.content and b"Reload the page" in response.content
    assert not Comment.objects.filter(body="Edited after going back").exists()


def test_an_htmx_form_resent_with_other_content_gets_a_toast_and_keeps_its_form(client_for, commenter):
    user, post = commenter
    client = client_for(user)
    action, form = comment_form(client, post)
    client.post(action, form, **HTMX)
    response = client.post(action, {**form, "body": "Edited after going back"}, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#messages" and response["HX-Reswap"] == "beforeend"
    assert b'class="message message--error"' in response.content and b"<html" not in response.content
    assert not Comment.objects.filter(body="Edited after going back").exists()


def test_a_signing_in_answer_is_not_kept_so_its_cookie_is_not_handed_out_again(member):
    form = {"email": member.email, "password": DEFAULT_PASSWORD, idempotency.FIELD: "sign-in"}
    client = Client()
    first = client.post("/accounts/login/", form)
    assert first.status_code == 302 and settings.SESSION_COOKIE_NAME in first.cookies
    assert not IdempotencyKey.objects.exists()  # released: signing in again is harmless
    again = Client().post("/accounts/login/", form)
    assert again.status_code == 302 and settings.SESSION_COOKIE_NAME in again.cookies


ROOT = Path(__file__).resolve().parents[3]
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']post[\"'][^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def test_every_post_form_in_the_templates_carries_the_key():
    missing = [
        f"{template.relative_to(ROOT)}: {match.group(0)[:80]}"
        for template in sorted((ROOT / "templates").rglob("*.html"))
        for match in POST_FORM.finditer(template.read_text())
        if "{% idempotency_field %}" not in match.group(1)
    ]
    assert not missing, "POST forms without {% idempotency_field %}:\n" + "\n".join(missing)
    assert POST_FORM.search((ROOT / "templates/comments/_comment_form.html").read_text())  # the walk sees forms


# --- What is kept, what is undone ------------------------------------------------------------

ANSWERS: list[Any] = []


def scripted_write(request: HttpRequest) -> HttpResponse:
    """Writes a row, then answers what the test scripted next: a status, or an exception."""
    WorkerHeartbeat.objects.create(hostname=f"write-{WorkerHeartbeat.objects.count()}")
    transaction.on_commit(lambda: ANNOUNCED.append(request.path))
    answer = ANSWERS.pop(0)
    if isinstance(answer, Exception):
        raise answer
    return JsonResponse({"answer": answer}, status=answer, headers={"Set-Cookie": "x=1", "X-Other": "no"})


ANNOUNCED: list[str] = []
urlpatterns = [path("api/scripted/", scripted_write)]


@pytest.fixture
def scripted(settings):
    settings.ROOT_URLCONF = __name__
    ANSWERS.clear()
    ANNOUNCED.clear()
    return ANSWERS


def scripted_post(client: Client, key: str = "s1") -> Any:
    return client.post("/api/scripted/", "{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.parametrize("failure", [503, RuntimeError("boom"), 429])
def test_a_5xx_or_a_429_is_not_kept_its_writes_are_undone_and_a_retry_runs_again(
    member, scripted, failure, django_capture_on_commit_callbacks
):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    scripted.extend([failure, 201])
    with django_capture_on_commit_callbacks(execute=True):
        assert scripted_post(client).status_code in (500, 503, 429)
    assert not WorkerHeartbeat.objects.exists() and not ANNOUNCED
    assert not IdempotencyKey.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        retry = scripted_post(client)
    assert retry.status_code == 201 and idempotency.REPLAYED not in retry
    assert WorkerHeartbeat.objects.count() == 1 and ANNOUNCED == ["/api/scripted/"]


def test_a_kept_answer_carries_the_headers_that_matter_and_no_cookie(client_for, member, scripted):
    client = client_for(member)
    scripted.append(400)
    first = scripted_post(client)
    again = scripted_post(client)
    assert first.status_code == again.status_code == 400 and again.content == first.content
    assert again["Content-Type"] == "application/json"
    assert "x" not in again.cookies and "X-Other" not in again
    row = IdempotencyKey.objects.get()
    assert row.completed_at is not None and dict(row.headers) == {"Content-Type": "application/json"}


def test_a_4xx_raised_by_a_view_is_kept_like_one_returned(client_for, member, scripted):
    from django.http import Http404

    client = client_for(member)
    scripted.append(Http404("gone"))
    assert scripted_post(client).status_code == 404
    assert scripted_post(client).status_code == 404
    assert WorkerHeartbeat.objects.count() == 1  # a 4xx's writes stand, like the answer


# --- Keeping keys 24 hours ---------------------------------------------------------------------


def claim(*, hours_ago: float, key: str) -> IdempotencyKey:
    created = timezone.now() - timedelta(hours=hours_ago)
    return IdempotencyKey.objects.create(
        scope="user:1",
        key=key,
        fingerprint="f",
        lease_token="t",
        lease_until=created,
        created_at=created,
        status_code=200,
    )


def test_the_prune_task_forgets_keys_older_than_a_day_and_is_safe_to_run_twice(db):
    claim(hours_ago=25, key="old")
    claim(hours_ago=23, key="recent")
    assert idempotency_prune() == 1
    assert idempotency_prune() == 0
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert settings.CELERY_BEAT_SCHEDULE["core.idempotency_prune"]["task"] == "core.idempotency_prune"


def test_a_key_past_its_day_is_free_again_even_before_the_prune(author):
    client = api_as(author)
    create(client, "yesterday")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = create(client, "yesterday", new_post("Another day"))
    assert response.status_code == 201 and idempotency.REPLAYED not in response


# --- The schema ---------------------------------------------------------------------------------


def test_every_unsafe_operation_documents_the_key_and_its_409_and_422(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    unsafe = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert unsafe
    for path_, method, operation in unsafe:
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, (method, path_)
        assert {"400", "409", "422"} <= set(operation["responses"]), (method, path_)
    for path_, item in schema["paths"].items():
        if "get" in item:
            assert "Idempotency-Key" not in [p["name"] for p in item["get"].get("parameters", [])], path_
