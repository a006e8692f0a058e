"""The document store: MongoDB through pymongo, the one way every app reaches documents.

With ``MONGODB_URL`` set, it connects there. Without it, the first use starts an embedded
MongoDB wire-protocol server (``nx-27017``, SQLite files under ``DOCUMENTS_EMBEDDED_DIR``) on a
free loopback port, owned by this process: it is stopped when the process exits, and stops
itself if the process is killed (see ``docserver.py``). Apps call :func:`collection` and
never build clients themselves, so the embedded and the production store are one code path.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from pymongo import IndexModel, MongoClient
from pymongo.collection import Collection
from pymongo.cursor import Cursor
from pymongo.database import Database
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

DEFAULT_DB_NAME = "platform"
_DOCSERVER_SCRIPT = Path(__file__).with_name("docserver.py")
_STARTUP_TIMEOUT_S = 20.0


class DocumentStoreError(RuntimeError):
    """The document store could not be reached or started."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedServer:
    """An nx-27017 server process on a free loopback port, storing under ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.owner_pid = os.getpid()

    @property
    def url(self) -> str:
        if self.port is None:
            raise DocumentStoreError("The embedded document server is not running.")
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.data_dir / "server.log"
        # A port picked free can be taken before the server binds it; try a few.
        for _attempt in range(3):
            self.port = _free_port()
            with open(log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        # -P: the script's folder (apps/core, with modules named like the
                        # standard library's) must not come first on sys.path.
                        "-P",
                        str(_DOCSERVER_SCRIPT),
                        str(os.getpid()),
                        "--data-dir",
                        str(self.data_dir),
                        "--host",
                        "127.0.0.1",
                        "-p",
                        str(self.port),
                        # nx-27017 refuses to start while its default pid file (one per
                        # machine) names a live server; each of ours gets its own.
                        "--pid-file",
                        str(self.data_dir / f"server-{self.port}.pid"),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Its own session: a Ctrl-C in the terminal reaches the owner, which
                    # then stops the server in order instead of both racing to exit.
                    start_new_session=True,
                )
            if self._wait_until_listening():
                logger.info("embedded document server on port %s (data in %s)", self.port, self.data_dir)
                return
            self.stop()
        raise DocumentStoreError(f"The embedded document server did not start; see {log_path}.")

    def _wait_until_listening(self) -> bool:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or os.getpid() != self.owner_pid:
            return  # a forked child never stops its parent's server
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


_lock = threading.RLock()
_client: MongoClient[dict[str, Any]] | None = None
_embedded: EmbeddedServer | None = None


def _connect() -> MongoClient[dict[str, Any]]:
    global _embedded
    url = settings.MONGODB_URL
    if not url:
        if _embedded is None or not _embedded.running:
            _embedded = EmbeddedServer(settings.DOCUMENTS_EMBEDDED_DIR)
            _embedded.start()
        url = _embedded.url
    timeout = settings.MONGODB_TIMEOUT_MS
    return MongoClient(
        url,
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        socketTimeoutMS=max(timeout, 10_000),
        tz_aware=True,
        appname="platform",
    )


def client() -> MongoClient[dict[str, Any]]:
    """The process-wide client, connecting (and starting the embedded server) on first use."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = _connect()
    return _client


def database() -> Database[dict[str, Any]]:
    """The platform's database: ``MONGODB_DB``, else the URL's path, else ``platform``."""
    name = settings.MONGODB_DB
    if not name:
        default = client().get_default_database(default=DEFAULT_DB_NAME)
        name = default.name
    return client()[name]


def collection(name: str) -> Collection[dict[str, Any]]:
    """A collection of the platform's database, for example ``collection("activity")``."""
    return database()[name]


def backend_name() -> str:
    return "mongodb" if settings.MONGODB_URL else "nx-27017 (embedded)"


def ping() -> None:
    """Raise :class:`DocumentStoreError` unless the store answers a round trip."""
    try:
        client().admin.command("ping")
    except PyMongoError as exc:
        raise DocumentStoreError(f"{type(exc).__name__}: {exc}") from exc


_indexes: dict[str, list[IndexModel]] = {}


def register_indexes(collection_name: str, indexes: list[IndexModel]) -> None:
    """Declare indexes a collection needs; ``migrate`` creates them (see ``ensure_indexes``)."""
    _indexes.setdefault(collection_name, []).extend(indexes)


def ensure_indexes() -> list[str]:
    """Create every registered index that is missing; returns their names."""
    created: list[str] = []
    for name, indexes in _indexes.items():
        created += collection(name).create_indexes(indexes)
    return created


def embedded_server() -> EmbeddedServer | None:
    """The embedded server this process started, if any (operators and tests look at it)."""
    return _embedded


def reset() -> None:
    """Close the client and stop an embedded server this process owns.

    The next use reconnects with the current settings. Called at exit, and by tests that
    point the store somewhere else.
    """
    global _client, _embedded
    with _lock:
        if _client is not None:
            _client.close()
            _client = None
        if _embedded is not None:
            _embedded.stop()
            _embedded = None


def _forget_after_fork() -> None:
    # pymongo clients must not cross a fork; the child reconnects to the same server lazily,
    # and EmbeddedServer.stop() refuses to stop a server owned by another pid.
    global _client, _lock
    _client = None
    _lock = threading.RLock()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(reset)


class DocumentQuery(Sequence[dict[str, Any]]):
    """A lazy, sliceable view of a find() so Django and DRF paginators can page documents.

    ``len()`` counts matching documents once; slicing runs one find() with skip and limit.
    """

    def __init__(
        self,
        coll: Collection[dict[str, Any]],
        filter: Mapping[str, Any] | None = None,
        *,
        sort: list[tuple[str, int]] | None = None,
        projection: Mapping[str, Any] | None = None,
    ) -> None:
        self.coll = coll
        self.filter = dict(filter or {})
        self.sort = sort
        self.projection = projection
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.coll.count_documents(self.filter)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("DocumentQuery slices do not support a step.")
            start = index.start or 0
            stop = self.count() if index.stop is None else index.stop
            if start < 0 or stop < 0:
                raise ValueError("DocumentQuery slices do not support negative bounds.")
            if stop <= start:
                return []
            return list(self._cursor().skip(start).limit(stop - start))
        if index < 0:
            index += self.count()
        items = self[index : index + 1]
        if not items:
            raise IndexError(index)
        return items[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._cursor())

    def _cursor(self) -> Cursor[dict[str, Any]]:
        cursor = self.coll.find(self.filter, self.projection)
        return cursor.sort(self.sort) if self.sort else cursor
