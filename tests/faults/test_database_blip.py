"""PostgreSQL backends terminated under mixed load (a failover, a restarted pooler, an operator's
pg_terminate_backend): the pool replaces the dead connections and requests go on; one whose
connection died under it answers 503 with Retry-After (its transaction rolled back: a retry is
safe), never a 500; nobody is logged out, and every acknowledged write is there exactly once.
PostgreSQL only."""

from __future__ import annotations

import time
import uuid
from collections import Counter

import pytest
import requests
from django.db import connection

from apps.blog.models import Post
from apps.core.comments.models import Comment
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory
from tests.core.factories import DEFAULT_PASSWORD
from tests.faults.load import TIMEOUT, Load, api_token, serving_user, still_signed_in
from tests.utils import daphne_server, form_sign_in

BLIPS = 3
BETWEEN_BLIPS_S = 1.5


def _terminate_backends(application_name: str) -> int:
    """Terminate the served process's backends (by the application name it connects with: the
    test run's own connections, in other threads, must live on); how many there were."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [application_name],
        )
        return int(cursor.fetchone()[0])


def test_terminated_database_backends_cost_no_write_and_no_session(production_env, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: pg_terminate_backend ends a server's connections from outside")
    application_name = f"fault-blip-{uuid.uuid4().hex[:12]}"
    env = {
        **production_env,
        "DB_APPLICATION_NAME": application_name,
        "API_THROTTLE_ANON": "100000/min",
        "API_THROTTLE_USER": "100000/min",
        "COMMENT_RATE_LIMIT": "100000",
    }
    readers = [serving_user(display_name=f"Reader {n}") for n in range(2)]
    commenter = serving_user(display_name="Commenter")
    author = serving_user(roles=["blog_author"], display_name="Api Author")
    post = PostFactory(live=True, slug="through-a-blip")
    CommentFactory(target=post, author=commenter)  # an approved comment: theirs publish at once

    log_path = tmp_path / "daphne.log"
    with daphne_server(env, log_path) as url:
        sessions = []
        for user in [*readers, commenter]:
            session, status = form_sign_in(url, user.email, DEFAULT_PASSWORD, timeout=TIMEOUT)
            assert status == 302, status
            sessions.append((session, user))
        response = api_token(url, author.email)
        assert response.status_code == 200, response.text
        bearer = {"Authorization": f"Bearer {response.json()['access']}"}
        load = Load()

        def post_page(_: str) -> tuple[bool, str]:
            response = requests.get(f"{url}/blog/{post.slug}/", timeout=TIMEOUT)
            return response.status_code == 200, f"{response.status_code} {response.headers.get('Retry-After')}"

        def signed_in_page(serial: str) -> tuple[bool, str]:
            session, user = sessions[int(serial.rsplit("-", 1)[1]) % len(readers)]
            response = session.get(url + "/accounts/profile/", allow_redirects=False, timeout=TIMEOUT)
            ok = response.status_code == 200 and user.email in response.text
            return ok, f"{response.status_code} {response.headers.get('Retry-After')}"

        def api_post(serial: str) -> tuple[bool, str]:
            response = load.create_post(url, bearer, f"Written through a blip {serial}")
            return response.status_code == 201, f"{response.status_code} {response.headers.get('Retry-After')}"

        def comment_post(serial: str) -> tuple[bool, str]:
            session, _ = sessions[-1]
            address = f"{url}/comments/on/blog.post/{post.pk}/"
            response = load.post_comment(session, address, f"Said through a blip {serial}")
            return response.status_code == 201, f"{response.status_code} {response.headers.get('Retry-After')}"

        load.run("pages", [("page", post_page), ("signed_in_page", signed_in_page)], pause=0.02)
        load.run("api", [("api_post", api_post)], pause=0.02)
        load.run("comments", [("comment_post", comment_post)], pause=0.02)
        terminated = []
        try:
            time.sleep(1.0)
            load.phase = "blips"
            for _ in range(BLIPS):
                terminated.append(_terminate_backends(application_name))
                time.sleep(BETWEEN_BLIPS_S)
            load.phase = "after"
            time.sleep(1.0)
        finally:
            load.stop()
        logged_out = [user.email for session, user in sessions if not still_signed_in(url, session, user)]

    outcomes = load.outcomes
    failed = [o for o in outcomes if not o.ok]
    by_phase = Counter((o.kind, o.phase, o.ok) for o in outcomes)
    report = f"terminated {terminated} backends; {len(outcomes)} requests, {len(failed)} failed; {dict(by_phase)}"
    print(report)

    assert all(terminated), report  # each blip really ended the server's connections
    assert {o.kind for o in outcomes if o.phase == "blips"} >= {"page", "signed_in_page", "api_post", "comment_post"}
    # Only a request whose connection was cut under it fails, and it says "try again" (at most one
    # per load thread and blip; most blips catch none: the pool's connections are idle between).
    assert all(o.detail == "503 5" for o in failed), f"{report}; failures: {failed}"
    assert len(failed) <= 3 * BLIPS, report
    assert not logged_out, logged_out
    stored_comments = Counter(Comment.objects.filter(body__startswith="Said through").values_list("body", flat=True))
    assert all(stored_comments[body] == 1 for body in load.comments), report
    stored_posts = Counter(Post.objects.filter(title__startswith="Written through").values_list("title", flat=True))
    assert all(stored_posts[title] == 1 for title in load.posts), report
    assert "Internal Server Error" not in log_path.read_text(errors="replace")
