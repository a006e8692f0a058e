"""SIGTERM to a production process (``manage.py serve``) with requests in flight.

The requests are held in flight for real: a connection of the test's own holds the database's
write lock (SQLite's, through BEGIN IMMEDIATE; on PostgreSQL an EXCLUSIVE lock on the comments
table), so each comment post waits inside the server until the test lets go.
"""

from __future__ import annotations

import contextlib
import secrets
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from apps.core.comments.models import Comment
from apps.core.comments.realtime import thread_socket_path
from apps.core.comments.registry import commentable_of
from apps.core.platform.serving import child_pids
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory
from tests.core.factories import UserFactory
from tests.utils import Served, served_process, wait_until

IN_FLIGHT = 8
GRACE = 8  # seconds; the drain below takes about 2
CUT_GRACE = 3
CUT_MARGIN = 4.0  # past the grace: answering the cut request, stopping children, exiting (~1 s)


# --- What the test holds and opens ------------------------------------------------------------


@contextlib.contextmanager
def write_lock_held() -> Iterator[None]:
    """Until the block ends, every comment insert waits (in another process too)."""
    taken, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold() -> None:
        try:
            # SQLite: atomic() begins IMMEDIATE (settings' transaction_mode), taking the write lock.
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f'LOCK TABLE "{Comment._meta.db_table}" IN EXCLUSIVE MODE')
                taken.set()
                release.wait(timeout=120)
        except BaseException as exc:  # handed to the test
            failed.append(exc)
            taken.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold, name="write-lock")
    holder.start()
    assert taken.wait(timeout=30) and not failed, failed
    try:
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def close_code(socket_: ClientConnection, timeout: float) -> int:
    """The code of the server's close frame (the client answers it, as the protocol asks)."""
    try:
        while True:
            socket_.recv(timeout=timeout)  # a message before the close is not what is awaited
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, "closed without a close frame"
        return closed.rcvd.code


# --- The production process ---------------------------------------------------------------------


@pytest.fixture
def server_env(production_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {
        **production_env,
        # Its own embedded document server: a child process that shutdown must stop.
        "MONGODB_URL": "",
        "DOCUMENTS_EMBEDDED_DIR": str(tmp_path / "server-documents"),
        # The sessions signed in here carry a hash made with this process's key.
        "SECRET_KEY": settings.SECRET_KEY,
        # On Redis when the run is (CI): the websocket's group lives there.
        "REDIS_URL": settings.REDIS_URL,
    }


def document_server_of(served: Served) -> int:
    """Make the process start its embedded document server (readiness pings it); its pid."""
    requests.get(served.url + "/readyz", timeout=30)
    children = [pid for pid in child_pids(served.process.pid) if b"docserver.py" in _cmdline(pid)]
    assert len(children) == 1, children
    return children[0]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie waiting for init."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def established(port: int) -> int:
    """Open connections to ``port`` on loopback, counted at the server's end (/proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, _remote, state = line.split()[1:4]
        if state == "01" and int(local.split(":")[1], 16) == port:
            count += 1
    return count


def waiting_on_locks() -> int:
    """PostgreSQL backends of the test database waiting for a lock (the held comment inserts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def signed_in_session(user) -> requests.Session:  # type: ignore[no-untyped-def]
    """A requests session with ``user``'s session cookie and a CSRF token pair, as a browser has."""
    client = Client()
    client.force_login(user)
    token = secrets.token_hex(16)  # an unmasked 32-character secret: cookie and header agree
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    session.cookies.set(settings.CSRF_COOKIE_NAME, token)
    session.headers.update({"X-CSRFToken": token, "HX-Request": "true"})
    return session


@pytest.fixture
def commenters(transactional_db):  # type: ignore[no-untyped-def]
    """A published post and IN_FLIGHT readers whose comments publish at once (each has one)."""
    post = PostFactory(live=True)
    users = [UserFactory() for _ in range(IN_FLIGHT)]
    for user in users:
        CommentFactory(target=post, author=user, body=f"Earlier comment by {user.pk}")
    return post, users


def post_comment(session: requests.Session, url: str, body: str) -> requests.Response | BaseException:
    try:
        return session.post(url, data={"body": body}, timeout=60)
    except requests.RequestException as exc:
        return exc


def idle_keep_alive_connection(url: str) -> socket.socket:
    """A connection that has had its answer and stays open for the next request (HTTP/1.1)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    return sock


def closed_by_server(sock: socket.socket, timeout: float) -> bool:
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):  # the rest of the body, then the end of the stream
            pass
        return True
    except TimeoutError:
        return False
    finally:
        sock.close()


def refused(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


# --- The tests ----------------------------------------------------------------------------------


def test_sigterm_lets_requests_in_flight_finish_closes_sockets_with_1001_and_exits_with_its_children(
    server_env, commenters, tmp_path
):
    post, users = commenters
    create = reverse("blog_comments:create", args=[post.slug])
    sessions = [signed_in_session(user) for user in users]
    log = tmp_path / "serve.log"
    with served_process(server_env, log, grace=GRACE) as served:
        documents_pid = document_server_of(served)
        address = served.url.replace("http://", "ws://", 1) + thread_socket_path(commentable_of(post).kind, post.pk)
        socket_ = connect(address, origin=served.url, open_timeout=10)
        idle = idle_keep_alive_connection(served.url)
        results: list[requests.Response | BaseException] = [RuntimeError("not sent")] * IN_FLIGHT
        bodies = [f"Posted while the server stops, number {i}" for i in range(IN_FLIGHT)]

        def send(index: int) -> None:
            results[index] = post_comment(sessions[index], served.url + create, bodies[index])

        senders = [threading.Thread(target=send, args=(i,)) for i in range(IN_FLIGHT)]
        with write_lock_held():
            for sender in senders:
                sender.start()
            # All 8 connected (and the socket): once the server stops listening, a request that
            # had not would be refused, not answered. Inside, each reaches its insert in
            # milliseconds and waits there (PostgreSQL shows the waits; SQLite cannot).
            port = urlsplit(served.url).port
            assert wait_until(lambda: established(port) >= IN_FLIGHT + 1, timeout=30), established(port)
            time.sleep(1.0)
            if connection.vendor == "postgresql":
                assert wait_until(lambda: waiting_on_locks() >= IN_FLIGHT, timeout=30), waiting_on_locks()
            assert all(sender.is_alive() for sender in senders), results

            signalled = time.monotonic()
            served.process.send_signal(signal.SIGTERM)

            assert wait_until(lambda: refused(served.url), timeout=3), "still accepting after SIGTERM"
            assert close_code(socket_, timeout=5) == 1001
            socket_.close()
            assert closed_by_server(idle, timeout=3), "an idle keep-alive connection stayed open"
            assert all(sender.is_alive() for sender in senders), "a held request ended before the lock was let go"
        for sender in senders:
            sender.join(timeout=GRACE + 10)
        served.process.wait(timeout=GRACE + 10)
        exited = time.monotonic() - signalled
        assert wait_until(lambda: gone(documents_pid), timeout=GRACE)
        children_exited = time.monotonic() - signalled

    output = log.read_text()
    assert [getattr(r, "status_code", r) for r in results] == [201] * IN_FLIGHT, output
    # Answered while draining: no client sends another request down these connections.
    assert all(response.headers["Connection"] == "close" for response in results), output
    for body in bodies:
        assert Comment.objects.filter(body=body).count() == 1, body
    assert served.process.returncode == 0, output
    assert exited < GRACE and children_exited < GRACE, (exited, children_exited, output)
    assert f"stopping the embedded document server (pid {documents_pid})" in output, output
    print(f"drained and exited {exited:.2f} s after SIGTERM, its document server {children_exited:.2f} s")


def test_a_request_still_running_when_the_grace_ends_is_cut_with_a_503_and_the_process_exits(
    server_env, commenters, tmp_path
):
    post, users = commenters
    create = reverse("blog_comments:create", args=[post.slug])
    session = signed_in_session(users[0])
    log = tmp_path / "serve.log"
    with served_process(server_env, log, grace=CUT_GRACE) as served:
        documents_pid = document_server_of(served)
        result: list[requests.Response | BaseException] = []
        with write_lock_held():
            sender = threading.Thread(target=lambda: result.append(post_comment(session, served.url + create, "Cut")))
            sender.start()
            if connection.vendor == "postgresql":
                assert wait_until(lambda: waiting_on_locks() >= 1, timeout=30)
            else:
                time.sleep(1.0)  # the post reaches its BEGIN IMMEDIATE and waits there
            signalled = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            served.process.wait(timeout=CUT_GRACE + 20)
            exited = time.monotonic() - signalled
            assert wait_until(lambda: gone(documents_pid), timeout=5)
            sender.join(timeout=10)

    output = log.read_text()
    assert CUT_GRACE <= exited < CUT_GRACE + CUT_MARGIN, (exited, output)
    assert served.process.returncode == 1, output
    assert getattr(result[0], "status_code", result[0]) == 503, output
    assert f"cut POST {create}" in output, output
    # The cut request never committed: a client that retries it writes it once.
    assert wait_until(lambda: not Comment.objects.filter(body="Cut").exists(), timeout=5)
    print(f"cut and exited {exited:.2f} s after SIGTERM (grace {CUT_GRACE} s)")


def test_a_second_sigterm_exits_at_once(server_env, commenters, tmp_path):
    post, users = commenters
    create = reverse("blog_comments:create", args=[post.slug])
    session = signed_in_session(users[0])
    log = tmp_path / "serve.log"
    with served_process(server_env, log, grace=GRACE) as served:
        documents_pid = document_server_of(served)
        with write_lock_held():
            sender = threading.Thread(target=post_comment, args=(session, served.url + create, "Held"))
            sender.start()
            time.sleep(1.0)
            served.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)  # draining, the post still held
            assert served.process.poll() is None
            signalled = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            served.process.wait(timeout=GRACE)
            exited = time.monotonic() - signalled
            assert wait_until(lambda: gone(documents_pid), timeout=5)
        sender.join(timeout=10)

    output = log.read_text()
    assert exited < 3.0, (exited, output)
    assert served.process.returncode == 1, output
    assert f"second SIGTERM: exiting now, cutting POST {create}" in output, output
