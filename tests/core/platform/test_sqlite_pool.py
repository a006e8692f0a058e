"""The embedded database's pool: a closed connection goes back to its file's pool and the next
thread takes it, unless it was in a transaction; a pooled one never outlives its file."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from apps.core.platform.sqlite import base


@pytest.fixture
def wrapper(tmp_path, django_db_blocker):
    settings = {**connections["default"].settings_dict}
    if settings["ENGINE"] != "apps.core.platform.sqlite":
        pytest.skip("the pool is the embedded (SQLite) engine's")
    settings.update(NAME=str(tmp_path / "pool.sqlite3"), OPTIONS={**settings["OPTIONS"], "pool": True})
    made = []

    def make():
        made.append(base.DatabaseWrapper(settings, alias="pooltest"))
        return made[-1]

    # A file of the test's own, beside the test database: not the one pytest-django guards.
    with django_db_blocker.unblock():
        yield make
    base.drain()


def _opened_and_closed(wrapper):  # type: ignore[no-untyped-def]
    """A new wrapper's connection, opened and then closed (pooled, if it may be)."""
    db = wrapper()
    db.ensure_connection()
    raw = db.connection
    db.close()
    return raw


def test_a_closed_connection_is_taken_again_by_the_next_thread(wrapper):
    raw = _opened_and_closed(wrapper)
    taken = []

    def other_thread():
        second = wrapper()
        second.ensure_connection()
        taken.append(second.connection)
        with second.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            taken.append(cursor.fetchone()[0])
        second.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert taken == [raw, 1]


def test_a_connection_closed_in_a_transaction_is_closed_for_good(wrapper):
    db = wrapper()
    db.ensure_connection()
    raw = db.connection
    db.set_autocommit(False)
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x int)")
        cursor.execute("INSERT INTO t VALUES (1)")
    assert raw.in_transaction
    db.close()
    again = wrapper()
    again.ensure_connection()
    assert again.connection is not raw
    again.close()


def test_drain_closes_the_pooled_connections(wrapper):
    raw = _opened_and_closed(wrapper)
    base.drain()
    with pytest.raises(Exception, match="closed"):
        raw.execute("SELECT 1")


def test_settings_use_the_pool_for_the_embedded_database(settings):
    default = settings.DATABASES["default"]
    if "sqlite" not in default["ENGINE"]:
        pytest.skip("PostgreSQL has psycopg's pool")
    assert default["ENGINE"] == "apps.core.platform.sqlite" and default["OPTIONS"]["pool"] is True
