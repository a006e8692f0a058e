"""Twenty copies of one request with one Idempotency-Key, released together against a real
production-mode server (daphne, DEBUG off, the test's SQLite file or PostgreSQL database): one
write, twenty identical answers. A retrying client's burst, or a double-clicking reader's."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path

from apps.blog.models import Post
from apps.core.comments.models import Comment
from apps.core.models import IdempotencyKey, WorkerHeartbeat
from tests.blog.factories import PostFactory, paragraph
from tests.core.comments.factories import CommentFactory
from tests.core.factories import DEFAULT_PASSWORD
from tests.utils import daphne_server, form_sign_in, race, served_process, wait_until

TIMES = 20
TIMEOUT = 60  # per request: a loaded machine serialising twenty writers on SQLite is slow, not wrong


def can_sign_in(user: Any) -> Any:
    """The suite's users have MD5 hashes (tests/conftest.py), which a production process does not
    take: a PBKDF2 hash (few rounds) it checks as any other."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(DEFAULT_PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def same_answers(answers: list[Any]) -> requests.Response:
    """Every copy answered, with one status and one body; the first of them."""
    failures = [answer for answer in answers if isinstance(answer, BaseException)]
    assert not failures, failures
    first = answers[0]
    assert {(answer.status_code, answer.content) for answer in answers} == {(first.status_code, first.content)}
    replays = [answer for answer in answers if answer.headers.get("Idempotent-Replayed") == "true"]
    assert len(replays) == TIMES - 1, [answer.headers for answer in answers]
    return first


def test_twenty_post_creates_with_one_key_at_once_write_one_post(production_env, tmp_path: Path, user_with_role):
    author = can_sign_in(user_with_role("blog_author"))
    with daphne_server(production_env, tmp_path / "daphne.log") as url:
        signed_in = requests.post(
            url + "/api/v1/auth/token/", json={"email": author.email, "password": DEFAULT_PASSWORD}, timeout=TIMEOUT
        )
        assert signed_in.status_code == 200, signed_in.content
        headers = {"Authorization": f"Bearer {signed_in.json()['access']}", "Idempotency-Key": "burst-post-1"}
        body = {"title": "Raced once", "body": [paragraph("Twenty clicks, one post.")]}

        def send(_: int) -> requests.Response:
            return requests.post(url + "/api/v1/blog/posts/", json=body, headers=headers, timeout=TIMEOUT)

        first = same_answers(race(send, TIMES))
    assert first.status_code == 201, first.content
    assert Post.objects.filter(title="Raced once").count() == 1
    assert first.headers["Location"].endswith(f"/posts/{Post.objects.get(title='Raced once').pk}/draft/")
    assert IdempotencyKey.objects.get().scope == f"user:{author.pk}"


def test_twenty_copies_of_one_comment_form_at_once_write_one_comment(production_env, tmp_path: Path, member):
    post = PostFactory(live=True, title="A busy thread", slug="busy-thread")
    can_sign_in(member)
    with daphne_server(production_env, tmp_path / "daphne.log") as url:
        session, status = form_sign_in(url, member.email, DEFAULT_PASSWORD, timeout=TIMEOUT)
        assert status == 302
        page = session.get(f"{url}/blog/{post.slug}/", timeout=TIMEOUT).text
        form = page[page.index('id="comment-form"') :]
        action = re.search(r'action="([^"]+)"', form).group(1)
        key = re.search(r'name="_idempotency" value="([^"]+)"', form).group(1)
        cookies = session.cookies.get_dict()
        headers = {"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"}
        data = {"body": "Raced once, posted once.", "_idempotency": key}

        def send(_: int) -> requests.Response:
            return requests.post(url + action, data=data, headers=headers, cookies=cookies, timeout=TIMEOUT)

        first = same_answers(race(send, TIMES))
    assert first.status_code == 201, first.content
    assert Comment.objects.filter(body="Raced once, posted once.").count() == 1
    assert IdempotencyKey.objects.get().scope == f"user:{member.pk}"


# --- A slow attempt whose lease runs out is still not run twice -------------------------------

SLOW_SECONDS = 1.0


def slow_write(request: HttpRequest) -> JsonResponse:
    """Outlives its claim's lease before it writes: a slow attempt, alive all along."""
    time.sleep(SLOW_SECONDS)
    row = WorkerHeartbeat.objects.create(hostname=f"slow-{WorkerHeartbeat.objects.count()}")
    return JsonResponse({"written": row.hostname}, status=201)


urlpatterns = [path("api/slow/", slow_write)]


def test_a_retry_after_a_live_attempts_lease_ran_out_waits_for_it_instead_of_running_again(
    transactional_db, settings, member
):
    """The lease says when a claim may be taken over; the attempt's lock (the row's on
    PostgreSQL, SKIP LOCKED; the write lock on SQLite) keeps a live one from being run twice."""
    settings.ROOT_URLCONF = __name__
    settings.IDEMPOTENCY_LEASE_SECONDS = 0.2
    settings.IDEMPOTENCY_WAIT_SECONDS = 30
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(member)
        clients.append(client)

    def send(index: int) -> Any:
        time.sleep(0.3 * index)  # the retry comes once the first one's lease is over
        return clients[index].post("/api/slow/", "{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="slow-1")

    first, retry = race(send, 2)
    assert first.status_code == retry.status_code == 201, (first, retry)
    assert retry.content == first.content and retry["Idempotent-Replayed"] == "true"
    assert WorkerHeartbeat.objects.count() == 1


# --- A process killed mid-request: its retry writes once ------------------------------------


def test_a_reply_whose_process_was_killed_mid_request_is_written_once_by_its_retry(
    production_env, tmp_path: Path, member
):
    """The claim commits, the view blocks (the test holds the parent comment's row lock, which a
    reply takes), the process is SIGKILLed: its transaction never commits. A new process takes the
    claim over once its lease is out and writes the reply once; the next retry replays it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite the lock the test would hold is the database's, taken before the claim")
    post = PostFactory(live=True, title="A thread that loses a server", slug="lost-server")
    parent = CommentFactory(target=post, author=member, body="The parent.")
    can_sign_in(member)
    env = {**production_env, "IDEMPOTENCY_LEASE_SECONDS": "1"}
    reply = f"/comments/{parent.pk}/reply/"
    data = {"body": "Said once, though the server died.", "_idempotency": "reply-across-a-crash"}
    answers: list[Any] = []
    with served_process(env, tmp_path / "first.log") as served:
        url = served.url
        session, _ = form_sign_in(url, member.email, DEFAULT_PASSWORD, timeout=TIMEOUT)
        cookies = session.cookies.get_dict()
        headers = {"X-CSRFToken": cookies["csrftoken"]}

        def send() -> None:
            try:
                answers.append(requests.post(url + reply, data=data, headers=headers, cookies=cookies, timeout=TIMEOUT))
            except requests.RequestException as exc:
                answers.append(exc)

        with transaction.atomic():
            Comment.objects.select_for_update().get(pk=parent.pk)
            sender = threading.Thread(target=send)
            sender.start()
            assert wait_until(lambda: IdempotencyKey.objects.filter(key=data["_idempotency"]).exists())
            time.sleep(0.5)  # into the view, waiting on the lock
            os.kill(served.process.pid, signal.SIGKILL)
            sender.join(timeout=TIMEOUT)
    assert isinstance(answers[0], requests.RequestException), answers  # never acknowledged
    claim = IdempotencyKey.objects.get()
    assert claim.status_code is None and not Comment.objects.filter(body=data["body"]).exists()

    with daphne_server(env, tmp_path / "second.log") as url:

        def resend() -> requests.Response:
            return requests.post(
                url + reply, data=data, headers=headers, cookies=cookies, allow_redirects=False, timeout=TIMEOUT
            )

        retry, again = resend(), resend()
    assert retry.status_code == 302 and "Idempotent-Replayed" not in retry.headers, retry.content
    assert again.status_code == 302 and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == retry.headers["Location"]
    assert Comment.objects.filter(body=data["body"]).count() == 1
