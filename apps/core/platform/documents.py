"""The document store: MongoDB through pymongo, the one way every app reaches documents.

With ``MONGODB_URL`` set, it connects there. Without it, the first use starts an embedded
MongoDB wire-protocol server (``nx-27017``, SQLite files under ``DOCUMENTS_EMBEDDED_DIR``) on a
free loopback port, owned by this process: it is stopped when the process exits, and stops
itself if the process is killed (see ``docserver.py``). While it runs, the owner supervises it:
a server that exits (killed, crashed) is started again on the same port with backoff, and one
that stops answering pings for ``DOCUMENTS_EMBEDDED_HANG_S`` is killed and started again, so the
client reconnects by itself. Apps call :func:`collection` and never build clients themselves,
so the embedded and the production store are one code path.

Every operation has short timeouts (``MONGODB_*_TIMEOUT_MS``): with the store down or frozen a
request fails within about 1 s with a :class:`pymongo.errors.ConnectionFailure`, which the
error handlers answer with a 503 (see :func:`is_unavailable`).
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import bson
from django.conf import settings
from pymongo import IndexModel, MongoClient
from pymongo.collection import Collection
from pymongo.cursor import Cursor
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, PyMongoError

logger = logging.getLogger(__name__)

DEFAULT_DB_NAME = "platform"
_DOCSERVER_SCRIPT = Path(__file__).with_name("docserver.py")
_STARTUP_TIMEOUT_S = 20.0

# Supervision: how often the owner looks at its server, how long a ping may take, and the
# backoff between restarts (doubling from the first to the last while restarts keep failing or
# the server keeps dying young).
_POLL_INTERVAL_S = 0.2
_PING_INTERVAL_S = 1.0
_PING_TIMEOUT_S = 1.0
_RESTART_BACKOFF_S = (0.2, 5.0)
_HEALTHY_AFTER_S = 30.0  # a server that lived this long died of something new: backoff starts over


class DocumentStoreError(RuntimeError):
    """The document store could not be reached or started."""


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the document store is unreachable, frozen or restarting (a 503 for
    the request), rather than that the request or the code is wrong (a 4xx or a 500)."""
    return isinstance(exc, DocumentStoreError | ConnectionFailure)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping_message() -> bytes:
    # OP_MSG (opcode 2013): flag bits, then one body section (kind 0) holding the command.
    payload = struct.pack("<I", 0) + b"\x00" + bson.encode({"ping": 1, "$db": "admin"})
    return struct.pack("<iiii", 16 + len(payload), 1, 0, 2013) + payload


def answers_ping(port: int, timeout: float = _PING_TIMEOUT_S) -> bool:
    """Whether a server on ``port`` answers a ping within ``timeout``. A connect alone proves
    nothing: the kernel accepts connections for a stopped (SIGSTOP) process."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(_ping_message())
            return len(sock.recv(16)) > 0
    except OSError:
        return False


class EmbeddedServer:
    """An nx-27017 server process on a loopback port, storing under ``data_dir``, supervised by
    the process that started it (see :meth:`supervise`)."""

    def __init__(
        self, data_dir: Path, *, hang_s: float = 0.0, on_moved: Callable[[EmbeddedServer], None] | None = None
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.owner_pid = os.getpid()
        # Seconds without an answered ping before a live but frozen server is killed and
        # started again; 0 leaves a frozen server to thaw by itself.
        self.hang_s = hang_s
        # Called (from the supervisor's thread) when a restart had to take another port.
        self.on_moved = on_moved
        self.restart_backoff = _RESTART_BACKOFF_S  # seconds: (first, last), doubling between
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._started_at = 0.0

    @property
    def url(self) -> str:
        if self.port is None:
            raise DocumentStoreError("The embedded document server is not running.")
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def supervised(self) -> bool:
        return self._supervisor is not None and self._supervisor.is_alive()

    @property
    def _is_owner(self) -> bool:
        return os.getpid() == self.owner_pid

    def start(self) -> None:
        self._stopping.clear()
        self._spawn(ports=[_free_port() for _attempt in range(3)])

    def _spawn(self, ports: list[int]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.data_dir / "server.log"
        # A port picked free can be taken before the server binds it: the next one is tried.
        for port in ports:
            if self._stopping.is_set():
                break
            pid_file = self.data_dir / f"server-{port}.pid"
            # A killed server leaves its pid file; its pid may belong to someone else by now.
            pid_file.unlink(missing_ok=True)
            with open(log_path, "ab") as log:
                process = subprocess.Popen(
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
                        str(port),
                        # nx-27017 refuses to start while its default pid file (one per
                        # machine) names a live server; each of ours gets its own.
                        "--pid-file",
                        str(pid_file),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Its own session: a Ctrl-C in the terminal reaches the owner, which
                    # then stops the server in order instead of both racing to exit.
                    start_new_session=True,
                )
            with self._lock:
                self.process, self.port = process, port
            if self._wait_until_listening(process, port):
                self._started_at = time.monotonic()
                logger.info("embedded document server on port %s (data in %s)", port, self.data_dir)
                return
            self._end(process)
        raise DocumentStoreError(f"The embedded document server did not start; see {log_path}.")

    def _wait_until_listening(self, process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while time.monotonic() < deadline and not self._stopping.is_set():
            if process.poll() is not None:
                return False
            if answers_ping(port, timeout=0.5):
                return True
            time.sleep(0.05)
        return False

    @staticmethod
    def _end(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()  # SIGKILL ends a stopped (SIGSTOP) process too
                process.wait(timeout=5)

    # --- Supervision ---------------------------------------------------------------------

    def supervise(self) -> None:
        """Watch the server from a daemon thread until :meth:`stop`. Only the owner does: a
        forked child's copy of this object never supervises (nor stops) its parent's server."""
        if not self._is_owner or self.supervised:
            return
        self._supervisor = threading.Thread(
            target=self._supervise, daemon=True, name=f"docserver-supervisor-{self.port}"
        )
        self._supervisor.start()

    def _supervise(self) -> None:
        backoff = self.restart_backoff[0]
        last_answer = time.monotonic()
        next_ping = last_answer + _PING_INTERVAL_S
        while not self._stopping.wait(_POLL_INTERVAL_S):
            process, port = self.process, self.port
            if process is None or port is None:
                return
            if process.poll() is not None:
                lived = time.monotonic() - self._started_at
                first, _last = self.restart_backoff
                backoff = first if lived >= _HEALTHY_AFTER_S else max(backoff, first)
                logger.error(
                    "embedded document server (pid %s, port %s) exited with %s after %.1f s; restarting in %.1f s",
                    process.pid,
                    port,
                    process.returncode,
                    lived,
                    backoff,
                )
                backoff = self._restart(port, backoff)
                last_answer = time.monotonic()
                next_ping = last_answer + _PING_INTERVAL_S
                continue
            now = time.monotonic()
            if now < next_ping:
                continue
            next_ping = now + _PING_INTERVAL_S
            if answers_ping(port):
                last_answer = time.monotonic()
            elif self.hang_s and time.monotonic() - last_answer >= self.hang_s:
                logger.error(
                    "embedded document server (pid %s, port %s) has not answered a ping for %.1f s; killing it",
                    process.pid,
                    port,
                    time.monotonic() - last_answer,
                )
                process.kill()
                process.wait(timeout=5)

    def _restart(self, port: int, backoff: float) -> float:
        """Start the server again, on its port if it can (the client reconnects by itself), else
        on a new one (the owner swaps its client); returns the next backoff."""
        while not self._stopping.wait(backoff):
            backoff = min(backoff * 2, self.restart_backoff[1])
            try:
                self._spawn(ports=[port, port, _free_port()])
            except DocumentStoreError:
                if self._stopping.is_set():
                    break  # stop() ended the attempt
                logger.exception("embedded document server did not start again; retrying in %.1f s", backoff)
                continue
            except Exception:  # the supervisor must outlive whatever one attempt hit
                logger.exception("restarting the embedded document server failed; retrying in %.1f s", backoff)
                continue
            self.restarts += 1
            if self.port != port:
                logger.warning("embedded document server moved from port %s to %s", port, self.port)
                if self.on_moved is not None:
                    self.on_moved(self)
            break
        return backoff

    def stop(self) -> None:
        """Stop supervising, then the server. A forked child never stops its parent's server."""
        if not self._is_owner:
            self.process = None
            return
        self._stopping.set()
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout=_STARTUP_TIMEOUT_S + 10)
        with self._lock:
            process, self.process = self.process, None
        if process is not None:
            self._end(process)


_lock = threading.RLock()
_client: MongoClient[dict[str, Any]] | None = None
_embedded: EmbeddedServer | None = None


def _new_client(url: str) -> MongoClient[dict[str, Any]]:
    # One attempt within the budget: a retried read or write would double the wait of a
    # request on a frozen server past 2 s. Event deliveries have the outbox's own retries, and
    # a revision write is an upsert by key that the user's retry repeats safely.
    return MongoClient(
        url,
        serverSelectionTimeoutMS=settings.MONGODB_TIMEOUT_MS,
        waitQueueTimeoutMS=settings.MONGODB_TIMEOUT_MS,
        connectTimeoutMS=settings.MONGODB_CONNECT_TIMEOUT_MS,
        socketTimeoutMS=settings.MONGODB_SOCKET_TIMEOUT_MS,
        retryReads=False,
        retryWrites=False,
        tz_aware=True,
        appname="platform",
    )


def _server_moved(server: EmbeddedServer) -> None:
    # The supervisor's thread: the old client keeps pointing at the old port, so replace it.
    global _client
    with _lock:
        if _embedded is not server or _client is None:
            return
        old, _client = _client, _new_client(server.url)
    old.close()


def _connect() -> MongoClient[dict[str, Any]]:
    global _embedded
    url = settings.MONGODB_URL
    if not url:
        server = _embedded
        # A supervised server that is down is being restarted: wait for it rather than start
        # a second one. A forked child uses its parent's server.
        if server is None or (server.owner_pid == os.getpid() and not server.running and not server.supervised):
            server = EmbeddedServer(
                settings.DOCUMENTS_EMBEDDED_DIR, hang_s=settings.DOCUMENTS_EMBEDDED_HANG_S, on_moved=_server_moved
            )
            server.start()
            server.supervise()
            _embedded = server
        url = server.url
    return _new_client(url)


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
    """Close the client, then stop supervising and stop an embedded server this process owns.

    The next use reconnects with the current settings. Called at exit, and by tests that
    point the store somewhere else.
    """
    global _client, _embedded
    with _lock:
        client_, _client = _client, None
        server, _embedded = _embedded, None
    # Outside the lock: a supervisor swapping the client takes it, and stop() waits for the
    # supervisor to end.
    if client_ is not None:
        client_.close()
    if server is not None:
        server.stop()


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
