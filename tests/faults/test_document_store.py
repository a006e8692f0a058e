"""The embedded document server killed (SIGKILL) and frozen (SIGSTOP), in the test process: each test
gets a server of its own (its own data directory, supervised by this process as the app's is), and
thaws it in a finally so the rest of the suite never meets a frozen store.

What users see: requests that touch documents answer 503 with the API's JSON error (or the error
page) within 2 s while it is down or frozen, and 200 once it is back; the server is back within
10 s without an app restart; events published meanwhile reach the activity log (real worker).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.urls import reverse

from apps.core.platform import documents, events
from tests.blog.factories import make_post
from tests.core.factories import DEFAULT_PASSWORD, UserFactory
from tests.utils import daphne_server, wait_until

ACTIVITY = "/api/v1/activity/"


@dataclass(frozen=True, kw_only=True)
class OutageProbed(events.DomainEvent):
    name: ClassVar[str] = "faults.outage_probed"
    aggregate: ClassVar[str] = "faults.outage:{number}"
    number: int


@pytest.fixture
def own_server(settings, tmp_path) -> Iterator[documents.EmbeddedServer]:  # type: ignore[no-untyped-def]
    """An embedded document server of this test's own, supervised as the app's is."""
    settings.MONGODB_URL = ""
    settings.DOCUMENTS_EMBEDDED_DIR = tmp_path / "documents"
    documents.reset()
    documents.ping()
    server = documents.embedded_server()
    assert server is not None and server.supervised
    try:
        yield server
    finally:
        process = server.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)
        documents.reset()
        assert not server.supervised, "reset() must end the supervisor's thread"


def timed(request: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def assert_unavailable_json(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == 503 and error["code"] == "unavailable", error
    assert response["Retry-After"]


@pytest.fixture
def document_pages(client_for, staff) -> dict[str, Callable[[], object]]:  # type: ignore[no-untyped-def]
    """Requests of each kind that touch documents: the activity log (API), a post's draft (API, its
    revision document), and the author's pages that show drafts (HTML)."""
    author = UserFactory(roles=["blog_author"])
    post = make_post(author=author)
    as_staff, as_author = client_for(staff), client_for(author)
    return {
        "api activity": lambda: as_staff.get(ACTIVITY),
        "api draft": lambda: as_author.get(f"/api/v1/blog/posts/{post.pk}/draft/"),
        "html my posts": lambda: as_author.get(reverse("blog:mine")),
        "html edit": lambda: as_author.get(reverse("blog:edit", args=[post.pk])),
    }


def assert_all_ok(pages: dict[str, Callable[[], object]]) -> None:
    for name, request in pages.items():
        response = request()
        assert response.status_code == 200, (name, response.status_code)


def test_a_killed_document_server_is_back_within_10_s_and_no_event_written_meanwhile_is_lost(
    own_server, celery_worker, settings, document_pages
):
    settings.OUTBOX_RETRY_BACKOFF = 0.2
    settings.OUTBOX_RETRY_BACKOFF_MAX = 1
    assert_all_ok(document_pages)

    # Killed: the supervisor's first restart comes after 0.2 s, on the same port.
    first_pid = own_server.process.pid
    os.kill(first_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    assert wait_until(lambda: document_pages["api activity"]().status_code == 200, 10)
    back_after = time.monotonic() - killed_at
    assert own_server.process.pid != first_pid and own_server.restarts == 1
    assert_all_ok(document_pages)

    # Killed again and held down 8 s (a backoff as long as a crash loop reaches), so that requests
    # and events meet the outage.
    own_server.restart_backoff = (8.0, 8.0)
    second_pid = own_server.process.pid
    os.kill(second_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    worst = 0.0
    for name, request in document_pages.items():
        response, took = timed(request)
        worst = max(worst, took)
        assert response.status_code == 503, (name, response.status_code, response.content[:300])
        if name.startswith("api"):
            assert_unavailable_json(response)
        else:
            assert b"Temporarily unavailable" in response.content
        assert took <= 2.0, (name, took)
    assert time.monotonic() - killed_at < 8, "the requests above all met the outage"
    published = []
    for number in range(5):
        with transaction.atomic():
            event = OutageProbed(number=number)
            events.publish(event)
            published.append(event.id)

    assert wait_until(lambda: document_pages["api activity"]().status_code == 200, 15)
    held_back_after = time.monotonic() - killed_at
    assert own_server.process.pid != second_pid and own_server.restarts == 2
    assert_all_ok(document_pages)
    print(f"\n[figures] SIGKILL: answering again after {back_after:.2f} s (held down 8 s: {held_back_after:.2f} s)")
    print(f"[figures] SIGKILL: worst request while down {worst:.2f} s")
    assert back_after < 10

    # Delivered by the worker once the store is back: all of them, once each.
    assert wait_until(lambda: events.activity_query(name=OutageProbed.name).count() == 5, 30)
    assert sorted(entry["_id"] for entry in events.activity_query(name=OutageProbed.name)) == sorted(published)
    listed = document_pages["api activity"]().json()["results"]
    assert {entry["id"] for entry in listed} >= set(published)


def test_a_frozen_document_server_holds_no_request_past_2_s_and_readyz_names_it(
    own_server, document_pages, client, worker_alive
):
    own_server.hang_s = 0  # left frozen until thawed here (the next test has the supervisor end it)
    assert_all_ok(document_pages)
    pid = own_server.process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        latencies: dict[str, float] = {}
        for _round in range(2):  # the first meets pooled connections, the second fresh ones
            for name, request in document_pages.items():
                response, took = timed(request)
                latencies[name] = max(latencies.get(name, 0.0), took)
                assert response.status_code == 503, (name, response.status_code, response.content[:300])
                if name.startswith("api"):
                    assert_unavailable_json(response)
                assert took <= 2.0, (name, took)
        readyz_latencies = []
        for _call in range(3):  # later calls find the first call's probe still hanging
            response, took = timed(lambda: client.get("/readyz"))
            readyz_latencies.append(took)
            assert took <= 2.0, took
            assert response.status_code == 503
            part = response.json()["parts"]["documents"]
            assert part["status"] == "down" and part["error"] in ("Timeout", "DocumentStoreError"), part
        hanging = [thread for thread in threading.enumerate() if thread.name == "readyz-documents"]
        assert len(hanging) <= 1, "a hanging probe is waited on again, never started twice"
        print(f"\n[figures] SIGSTOP: worst request {max(latencies.values()):.2f} s ({latencies})")
        print(f"[figures] SIGSTOP: /readyz {max(readyz_latencies):.2f} s worst ({readyz_latencies})")
    finally:
        os.kill(pid, signal.SIGCONT)

    assert wait_until(lambda: document_pages["api activity"]().status_code == 200, 10)
    assert own_server.process.pid == pid, "thawed in time: the same server, not a restart"
    assert_all_ok(document_pages)
    assert client.get("/readyz").json()["parts"]["documents"]["status"] == "ok"


def test_a_server_frozen_for_longer_than_its_hang_limit_is_killed_and_started_again(own_server, document_pages):
    own_server.hang_s = 2
    pid = own_server.process.pid
    os.kill(pid, signal.SIGSTOP)
    frozen_at = time.monotonic()
    try:
        assert wait_until(lambda: own_server.process.pid != pid and own_server.running, 15)
        assert wait_until(lambda: document_pages["api activity"]().status_code == 200, 10)
        print(f"\n[figures] SIGSTOP, never thawed: answering again after {time.monotonic() - frozen_at:.2f} s")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    assert_all_ok(document_pages)


# --- The same in a production-mode process, which owns and supervises its own server ---------


def server_pid(data_dir) -> int:  # type: ignore[no-untyped-def]
    pid_files = sorted(data_dir.glob("server-*.pid"), key=lambda path: path.stat().st_mtime)
    assert pid_files, f"no pid file in {data_dir}"
    return int(pid_files[-1].read_text().split()[0])


def test_a_production_process_restarts_its_killed_document_server_and_answers_while_it_is_frozen(
    production_env, tmp_path, staff
):
    # The test run hashes with MD5, which a production process does not accept.
    staff.password = PBKDF2PasswordHasher().encode(DEFAULT_PASSWORD, PBKDF2PasswordHasher().salt())
    staff.save(update_fields=["password"])
    data_dir = tmp_path / "own-documents"
    # Its own embedded server (not the test run's), frozen only as long as the test says.
    env = {
        **production_env,
        "MONGODB_URL": "",
        "DOCUMENTS_EMBEDDED_DIR": str(data_dir),
        "DOCUMENTS_EMBEDDED_HANG_S": "60",
    }
    with daphne_server(env, tmp_path / "daphne.log") as url:
        signed_in = requests.post(
            url + "/api/v1/auth/token/", json={"email": staff.email, "password": DEFAULT_PASSWORD}, timeout=10
        )
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["access"]
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        assert api.get(url + ACTIVITY, timeout=10).status_code == 200

        pid = server_pid(data_dir)
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        assert wait_until(lambda: api.get(url + ACTIVITY, timeout=10).status_code == 200, 10)
        back_after = time.monotonic() - killed_at
        assert server_pid(data_dir) != pid

        pid = server_pid(data_dir)
        os.kill(pid, signal.SIGSTOP)
        try:
            worst = worst_readyz = 0.0
            for _call in range(3):
                started = time.monotonic()
                response = api.get(url + ACTIVITY, timeout=10)
                worst = max(worst, time.monotonic() - started)
                assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"
                started = time.monotonic()
                ready = requests.get(url + "/readyz", timeout=10)
                readyz = time.monotonic() - started
                worst_readyz = max(worst_readyz, readyz)
                assert ready.status_code == 503 and ready.json()["parts"]["documents"]["status"] == "down"
                assert readyz <= 2.0, readyz
            assert worst <= 2.0, worst
        finally:
            os.kill(pid, signal.SIGCONT)
        assert wait_until(lambda: api.get(url + ACTIVITY, timeout=10).status_code == 200, 10)
    print(f"\n[figures] daphne: SIGKILL answered again after {back_after:.2f} s")
    print(f"[figures] daphne: frozen, worst API {worst:.2f} s, worst /readyz {worst_readyz:.2f} s")
    # The process stopped its server on the way out.
    assert wait_until(lambda: not pid_alive(pid), 10)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
