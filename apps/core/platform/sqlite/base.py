"""Django's SQLite backend, with idle connections kept for the next request (``"pool": True``
in OPTIONS; the embedded default, config/settings.py).

Django opens a connection per request thread and closes it when the request ends, and under
ASGI every request runs in a thread of its own, so SQLite would open the file for every request
that touches it: read the schema, map the write-ahead log, run the connection's pragmas, and on
the last close checkpoint the log and delete it. Together that is a few milliseconds a request
on a small machine, more than the request's own queries. PostgreSQL has psycopg's pool for
this; here a closed connection that holds no transaction goes back to a small pool of its
file instead, and the next thread takes it (SQLite connections may move between threads; one
thread uses each at a time). Pooled connections are dropped whenever a database file is made
or destroyed (tests), so none outlives the file it was opened on.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from django.db.backends.sqlite3 import base

POOL_SIZE = 8  # idle connections kept per file; more are closed (one process, few threads)

_pools: dict[str, queue.LifoQueue[Any]] = {}
_lock = threading.Lock()


def _pool(name: str) -> queue.LifoQueue[Any]:
    with _lock:
        pool = _pools.get(name)
        if pool is None:
            pool = _pools[name] = queue.LifoQueue(maxsize=POOL_SIZE)
        return pool


def drain() -> None:
    """Close every pooled connection (before a database file is replaced or removed)."""
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        while True:
            try:
                pool.get_nowait().close()
            except queue.Empty:
                break


class DatabaseCreation(base.DatabaseCreation):
    def _create_test_db(self, *args: Any, **kwargs: Any) -> Any:
        drain()
        return super()._create_test_db(*args, **kwargs)

    def _destroy_test_db(self, *args: Any, **kwargs: Any) -> Any:
        drain()
        return super()._destroy_test_db(*args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def _pooled(self) -> bool:
        return bool(self.settings_dict["OPTIONS"].get("pool")) and not self.is_in_memory_db()

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        params.pop("pool", None)  # ours, not sqlite3.connect's
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if self._pooled():
            try:
                conn = _pool(str(conn_params["database"])).get_nowait()
            except queue.Empty:
                pass
            else:
                # As Django leaves a new one (a schema change may have turned this off).
                conn.execute("PRAGMA foreign_keys = ON")
                return conn
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        conn = self.connection
        if conn is not None and self._pooled() and not conn.in_transaction:
            try:
                _pool(str(self.settings_dict["NAME"])).put_nowait(conn)
            except queue.Full:
                pass
            else:
                return
        super()._close()
