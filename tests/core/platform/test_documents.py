from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from pymongo import IndexModel

from apps.core.platform import documents


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
