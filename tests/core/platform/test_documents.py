from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.conf import settings
from pymongo import IndexModel

from apps.core.platform import documents
from tests.core.factories import UserFactory
from tests.utils import free_port


def test_collection_round_trips_a_document_through_the_configured_store():
    coll = documents.collection("notes")
    coll.insert_one({"_id": "n1", "text": "hello", "tags": ["a", "b"]})

    assert coll.find_one({"tags": "b"}) == {"_id": "n1", "text": "hello", "tags": ["a", "b"]}
    assert documents.database().name == settings.MONGODB_DB


def test_ping_answers_when_the_store_is_up():
    documents.ping()


@pytest.mark.skipif(bool(os.environ.get("MONGODB_URL")), reason="only the embedded server is started by us")
def test_embedded_server_is_started_on_a_loopback_port_with_its_files_under_the_data_dir():
    documents.ping()
    server = documents.embedded_server()

    assert server is not None and server.running
    assert server.url.startswith("mongodb://127.0.0.1:")
    assert (server.data_dir / f"{settings.MONGODB_DB}.db").exists() or server.data_dir.exists()


@pytest.mark.skipif(bool(os.environ.get("MONGODB_URL")), reason="only the embedded server is started by us")
def test_reset_stops_the_embedded_server_and_the_next_use_starts_a_new_one():
    documents.collection("notes").insert_one({"_id": 1})
    first = documents.embedded_server()
    first_process = first.process

    documents.reset()

    assert first_process.poll() is not None, "the server process should have exited"
    # The data lives on in SQLite: a new server over the same directory still has it.
    assert documents.collection("notes").find_one({"_id": 1}) == {"_id": 1}
    assert documents.embedded_server() is not first


@pytest.mark.skipif(bool(os.environ.get("MONGODB_URL")), reason="only the embedded server is started by us")
def test_embedded_server_stops_itself_when_its_owner_is_killed(tmp_path):
    # A separate owner process that starts the store, prints the server's pid and hangs.
    script = textwrap.dedent(
        f"""
        import os, sys, time, django
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.environ["DOCUMENTS_EMBEDDED_DIR"] = {str(tmp_path)!r}
        os.environ.pop("MONGODB_URL", None)
        django.setup()
        from apps.core.platform import documents
        documents.ping()
        print(documents.embedded_server().process.pid, flush=True)
        time.sleep(60)
        """
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=settings.BASE_DIR)
    server_pid = int(owner.stdout.readline())
    owner.send_signal(signal.SIGKILL)
    owner.wait()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(server_pid, signal.SIGKILL)
    pytest.fail("the embedded server outlived its owner")


def test_document_query_counts_once_and_pages_with_skip_and_limit():
    coll = documents.collection("items")
    coll.insert_many([{"_id": i, "n": i} for i in range(25)])
    query = documents.DocumentQuery(coll, {"n": {"$gte": 5}}, sort=[("n", -1)])

    assert len(query) == 20
    assert [d["n"] for d in query[0:3]] == [24, 23, 22]
    assert [d["n"] for d in query[18:40]] == [6, 5]
    assert query[19]["n"] == 5
    assert query[-1]["n"] == 5
    assert query[5:5] == []
    with pytest.raises(IndexError):
        query[20]
    with pytest.raises(ValueError):
        query[::2]


def test_ensure_indexes_creates_registered_indexes_once(monkeypatch):
    monkeypatch.setattr(documents, "_indexes", {})
    documents.register_indexes("things", [IndexModel([("slug", 1)], name="slug_1", unique=True)])

    documents.ensure_indexes()
    documents.ensure_indexes()  # idempotent

    keys = [dict(index["key"]) for index in documents.collection("things").list_indexes()]
    assert keys.count({"slug": 1}) == 1


def test_activity_indexes_are_created_by_migrate(db):
    # django_db_setup ran migrate, whose post_migrate created them; the per-test drop removed
    # them again, so run the same handler the signal runs.
    from apps.core.apps import ensure_document_indexes

    ensure_document_indexes()
    # Field order, not direction: nx-27017 records every key ascending (SQLite walks both ways).
    fields = [list(index["key"]) for index in documents.collection("activity").list_indexes()]
    for expected in (["occurred_at"], ["name", "occurred_at"], ["actor_id", "occurred_at"]):
        assert expected in fields


# --- Supervision of the embedded server ----------------------------------------------------

embedded_only = pytest.mark.skipif(
    bool(os.environ.get("MONGODB_URL")), reason="only the embedded server is started by us"
)


@pytest.fixture
def own_server(settings, tmp_path):  # type: ignore[no-untyped-def]
    """An embedded server of this test's own (killing the test run's would slow every next test)."""
    settings.MONGODB_URL = ""
    settings.DOCUMENTS_EMBEDDED_DIR = tmp_path / "documents"
    documents.reset()
    documents.ping()
    server = documents.embedded_server()
    try:
        yield server
    finally:
        documents.reset()


def supervisors() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("docserver-supervisor")]


def test_every_operation_has_short_timeouts_and_one_attempt(settings):
    client = documents._new_client("mongodb://127.0.0.1:1/")
    try:
        options = client.options
        assert options.server_selection_timeout == settings.MONGODB_TIMEOUT_MS / 1000
        assert options.pool_options.connect_timeout == settings.MONGODB_CONNECT_TIMEOUT_MS / 1000
        assert options.pool_options.socket_timeout == settings.MONGODB_SOCKET_TIMEOUT_MS / 1000
        assert options.pool_options.wait_queue_timeout == settings.MONGODB_TIMEOUT_MS / 1000
        assert not options.retry_reads and not options.retry_writes
    finally:
        client.close()
    # Each within the budget: no request waits on the store for more than about a second.
    assert max(settings.MONGODB_TIMEOUT_MS, settings.MONGODB_SOCKET_TIMEOUT_MS) <= 1500


@embedded_only
def test_a_killed_embedded_server_is_started_again_on_its_port_and_the_client_reconnects(own_server):
    documents.collection("notes").insert_one({"_id": "kept"})
    port, pid = own_server.port, own_server.process.pid

    os.kill(pid, signal.SIGKILL)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if documents.collection("notes").find_one({"_id": "kept"}):
                break
        time.sleep(0.1)
    assert documents.collection("notes").find_one({"_id": "kept"}) == {"_id": "kept"}
    assert own_server.port == port and own_server.process.pid != pid and own_server.restarts == 1


@embedded_only
def test_a_restart_that_cannot_have_its_port_takes_another_and_the_client_follows(own_server):
    own_server.restart_backoff = (1.0, 1.0)
    documents.collection("notes").insert_one({"_id": "kept"})
    port, old_client = own_server.port, documents.client()
    os.kill(own_server.process.pid, signal.SIGKILL)
    own_server.process.wait()
    # Someone else listens on the port before the restart (1 s later).
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", port))
    squatter.listen()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (own_server.port == port or documents.client() is old_client):
            time.sleep(0.1)
    finally:
        squatter.close()

    assert own_server.port != port
    assert documents.client() is not old_client
    assert documents.collection("notes").find_one({"_id": "kept"}) == {"_id": "kept"}


@embedded_only
def test_reset_ends_supervision_before_stopping_the_server(own_server):
    assert own_server.supervised and len(supervisors()) == 1
    process = own_server.process

    documents.reset()

    assert not own_server.supervised and supervisors() == []
    assert process.poll() is not None
    time.sleep(0.5)
    assert own_server.process is None, "nobody started it again"


@embedded_only
def test_a_stopped_server_stays_stopped(own_server):
    own_server.stop()
    time.sleep(0.5)

    assert not own_server.running and not own_server.supervised


@embedded_only
def test_a_forked_child_neither_supervises_nor_stops_its_parents_server(own_server):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's atexit handlers
        try:
            own_server.supervise()
            own_server.stop()
            ok = not own_server.supervised and documents._client is None
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    os.close(read)
    os.close(write)
    assert own_server.running and own_server.supervised
    documents.ping()


# --- An unavailable store is a 503, never a 500 ---------------------------------------------


@pytest.fixture
def store_goes_down(settings):  # type: ignore[no-untyped-def]
    """``store_goes_down()``: from then on the store's address answers nothing (a configured MongoDB
    that is down)."""

    configured = settings.MONGODB_URL

    def go_down() -> None:
        settings.MONGODB_URL = f"mongodb://127.0.0.1:{free_port()}/"
        documents.reset()

    yield go_down
    # Back on the test run's store, connected, so the per-test cleanup empties what the test wrote.
    settings.MONGODB_URL = configured
    documents.reset()
    documents.client()


def test_the_api_answers_503_in_its_error_shape_when_the_store_is_unreachable(
    client_for, staff, store_goes_down, settings
):
    store_goes_down()
    started = time.monotonic()
    response = client_for(staff).get("/api/v1/activity/")

    # One server selection (MONGODB_TIMEOUT_MS), not pymongo's 30 s; the margin is for a busy
    # machine (CI's two workers: 2.05 s was seen with a 1 s selection timeout).
    assert time.monotonic() - started < settings.MONGODB_TIMEOUT_MS / 1000 + 2
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "status": 503,
            "code": "unavailable",
            "message": "A service this request needs is unavailable; try again in a few seconds.",
            "retry_after": 5,
        }
    }
    assert response["Retry-After"] == "5"


def test_a_form_post_with_an_idempotency_key_answers_the_503_page_when_the_store_is_unreachable(
    client_for, store_goes_down
):
    # The idempotency middleware calls the view itself, so its exception never reaches the
    # middleware's process_exception: it asks for the 503 too. A 5xx is not kept: a retry runs.
    from apps.core.models import IdempotencyKey
    from tests.blog.factories import make_post

    author = UserFactory(roles=["blog_author"])
    post = make_post(author=author)
    store_goes_down()

    response = client_for(author).post(f"/blog/posts/{post.pk}/edit/", {"title": "New", "_idempotency": "k-1"})

    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content
    assert not IdempotencyKey.objects.exists()


def test_a_page_answers_the_503_page_when_the_store_is_unreachable(client_for, store_goes_down):
    from tests.blog.factories import make_post

    author = UserFactory(roles=["blog_author"])
    post = make_post(author=author)  # its draft is a revision document
    store_goes_down()

    response = client_for(author).get(f"/blog/posts/{post.pk}/edit/")

    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content
    assert response["Retry-After"] == "5"
    assert "no-cache" in response["Cache-Control"]
