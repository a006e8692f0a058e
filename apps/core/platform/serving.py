"""The production server: daphne, with a shutdown that lets requests finish (``manage.py serve``).

daphne's own SIGTERM handling cancels every application instance at once (requests in flight
are reset, some after their write committed) and then waits for them; a sync view that
cancellation cannot stop keeps its thread (asgiref waits for it) and the process with it. Here
the first SIGTERM or SIGINT drains instead:

1. stop listening: new connections are refused, so the balancer sends them elsewhere;
2. close websockets with 1001 (going away), so clients reconnect to another process; sockets
   still in their handshake are refused with 503;
3. let HTTP requests in flight finish, within ``grace`` seconds (SHUTDOWN_GRACE_SECONDS). Each
   answer says ``Connection: close`` and idle keep-alive connections are closed, so no client
   sends another request down a connection that is about to go;
4. when the grace ends, cut what is still running (a 503 if nothing was answered yet, else the
   connection is aborted), logging each request that was cut;
5. stop the child processes this process started (the embedded document server through
   ``documents.reset()``, then anything else still parented here) and exit with ``os._exit``:
   a thread stuck in a view must not keep the process alive.

A second signal exits at once. A watchdog thread exits hard if shutdown has not finished
``HARD_EXIT_MARGIN`` seconds after the grace ended, whatever the reactor is doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from autobahn.websocket.types import ConnectionDeny

# daphne.server installs the asyncio reactor (the daphne app, first in INSTALLED_APPS, has
# imported it already): it comes before anything imports twisted.internet.reactor.
from daphne.access import AccessLogGenerator
from daphne.endpoints import build_endpoint_description_strings
from daphne.http_protocol import HTTPFactory, WebRequest
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet import defer, reactor
from twisted.internet.endpoints import serverFromString
from twisted.logger import STDLibLogObserver, globalLogBeginner

logger = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001
TICK_S = 0.1  # how often a draining server looks at what is left
CANCEL_WAIT_S = 1.0  # how long the reactor's shutdown waits for cancelled application instances
FLUSH_WAIT_S = 1.0  # how long 503s to cut requests get to reach their clients
CLEANUP_WAIT_S = 2.0  # how long documents.reset() and the pool's close may take
CHILD_TERM_WAIT_S = 1.0  # between SIGTERM and SIGKILL for a child process still running
HARD_EXIT_MARGIN = 6.0  # past the grace: the watchdog exits whatever is still going on


# --- Protocols that know the server is draining --------------------------------------------


class DrainingWebRequest(WebRequest):
    def handle_reply(self, message: dict[str, Any]) -> None:
        channel = getattr(self, "channel", None)  # Twisted drops it once the request is done
        if message.get("type") == "http.response.start" and self.server.draining and channel is not None:
            # Not reusable: the client opens its next connection to a process that stays.
            message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            channel.persistent = False
        super().handle_reply(message)


class DrainingHTTPFactory(HTTPFactory):
    """daphne's factory, remembering its connections so idle keep-alive ones can be closed."""

    def __init__(self, server: GracefulServer) -> None:
        super().__init__(server)
        self.connections: weakref.WeakSet[Any] = weakref.WeakSet()

    def buildProtocol(self, addr: Any) -> Any:  # noqa: N802 - Twisted's name
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = DrainingWebRequest
        self.connections.add(protocol)
        return protocol


class DrainingWebSocketProtocol(WebSocketProtocol):
    def onConnect(self, request: Any) -> Any:  # noqa: N802 - autobahn's name
        if self.factory.server_class.draining:
            raise ConnectionDeny(503, "The server is shutting down.")
        return super().onConnect(request)


class DrainingWebSocketFactory(WebSocketFactory):
    protocol = DrainingWebSocketProtocol


# --- The server ------------------------------------------------------------------------------


def _describe(protocol: Any) -> str:
    if isinstance(protocol, WebRequest):
        method = protocol.method.decode("ascii", "replace") if protocol.method else "?"
        uri = protocol.uri.decode("ascii", "replace") if protocol.uri else "?"
        return f"{method} {uri} ({protocol.duration():.1f} s)"
    if isinstance(protocol, WebSocketProtocol):
        return f"websocket {getattr(protocol, 'path', b'?').decode('ascii', 'replace')} ({protocol.duration():.0f} s)"
    return repr(protocol)


class GracefulServer(Server):
    """daphne's Server with the drain described in this module's docstring."""

    def __init__(self, application: Any, *, grace: float, **kwargs: Any) -> None:
        super().__init__(application, signal_handlers=False, **kwargs)
        self.grace = grace
        self.draining = False
        self.ports: list[Any] = []
        self.exit_code = 0
        self.cut: list[str] = []
        self.signalled_at: float | None = None
        self.deadline = 0.0
        self.finished = threading.Event()
        self._signals = 0

    # daphne 4.2.3's run(), with the draining factories and this module's signal handling.
    def run(self) -> None:
        self.connections = {}
        self.http_factory = DrainingHTTPFactory(self)
        self.ws_factory = DrainingWebSocketFactory(self, server=self.server_name)
        self.ws_factory.setProtocolOptions(
            autoPingTimeout=self.ping_timeout,
            allowNullOrigin=True,
            openHandshakeTimeout=self.websocket_handshake_timeout,
            maxMessagePayloadSize=self.websocket_max_message_size,
            maxFramePayloadSize=self.websocket_max_frame_size,
        )
        if self.verbosity <= 1:
            globalLogBeginner.beginLoggingTo([lambda _: None], redirectStandardIO=False, discardBuffer=True)
        else:
            globalLogBeginner.beginLoggingTo([STDLibLogObserver("daphne.server")])
        reactor.callLater(1, self.application_checker)
        reactor.callLater(2, self.timeout_checker)
        for description in self.endpoints:
            logger.info("configuring endpoint %s", description)
            listener = serverFromString(reactor, str(description)).listen(self.http_factory)
            listener.addCallback(self.listen_success)
            listener.addErrback(self.listen_error)
            self.listeners.append(listener)
        asyncio.set_event_loop(reactor._asyncioEventloop)  # as daphne does: the reactor's loop
        if self.verbosity >= 3:
            asyncio.get_event_loop().set_debug(True)
        reactor.addSystemEventTrigger("before", "shutdown", self.kill_all_applications)
        if self.abort_start:
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        if self.ready_callable:
            self.ready_callable()
        reactor.run(installSignalHandlers=False)

    def listen_error(self, failure: Any) -> None:
        self.exit_code = 1
        super().listen_error(failure)

    def listen_success(self, port: Any) -> None:
        self.ports.append(port)
        super().listen_success(port)
        if self.draining:  # the signal came before the listener was up
            port.stopListening()

    # --- Signals ------------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._signals += 1
        name = signal.Signals(signum).name
        if self._signals == 1:
            self.signalled_at = time.monotonic()
            reactor.callFromThread(self.drain, name)
            return
        # Whoever sends a second signal wants the process gone now.
        busy = [_describe(p) for p in self._busy()] if self.draining else []
        logger.warning("second %s: exiting now%s", name, f", cutting {', '.join(busy)}" if busy else "")
        stop_child_processes(wait=0.5)
        hard_exit(1)

    # --- Draining -----------------------------------------------------------------------

    def drain(self, reason: str) -> None:
        if self.draining:
            return
        self.draining = True
        started = self.signalled_at or time.monotonic()
        self.deadline = started + self.grace
        sockets = [p for p in self.connections if isinstance(p, WebSocketProtocol)]
        requests = [p for p in self._busy() if isinstance(p, WebRequest)]
        logger.warning(
            "%s: draining: no new connections, %d request(s) in flight get up to %s s, %d websocket(s) closed with %d",
            reason,
            len(requests),
            self.grace,
            len(sockets),
            CLOSE_GOING_AWAY,
        )
        threading.Thread(target=self._watchdog, name="shutdown-watchdog", daemon=True).start()
        # Each step on its own: one that fails must not leave the drain half done.
        for port in self.ports:
            with _logged("stop listening on %r", port):
                port.stopListening()
        for protocol in sockets:
            with _logged("close %r", protocol):
                self._close_socket(protocol)
        self._tick()

    def _close_socket(self, protocol: WebSocketProtocol) -> None:
        if protocol.state == protocol.STATE_OPEN:
            # sendCloseFrame: autobahn's sendClose allows servers only 1000 and 3000-4999.
            protocol.sendCloseFrame(code=CLOSE_GOING_AWAY, reasonUtf8=b"The server is shutting down.")
        elif protocol.state == protocol.STATE_CONNECTING and hasattr(protocol, "handshake_deferred"):
            protocol.handshake_deferred.errback(ConnectionDeny(503, "The server is shutting down."))
            del protocol.handshake_deferred
            self.protocol_disconnected(protocol)

    def _busy(self) -> list[Any]:
        """Connections still being served: open, or their application not yet done."""
        busy = []
        for protocol, details in list(self.connections.items()):
            application = details.get("application_instance")
            if "disconnected" not in details or (application is not None and not application.done()):
                busy.append(protocol)
        return busy

    def _close_idle_connections(self) -> None:
        for protocol in list(self.http_factory.connections):
            channel = getattr(protocol, "_channel", None)  # Twisted's HTTPChannel behind its ALPN proxy
            transport = getattr(channel, "transport", None)
            if transport is None or not getattr(transport, "connected", False):
                continue
            if getattr(transport, "protocol", protocol) is not protocol:
                continue  # upgraded: a websocket now owns the connection
            channel.persistent = False  # the request it is serving is its last
            if not channel.requests:
                channel.loseConnection()

    def _tick(self) -> None:
        with _logged("close idle connections"):
            self._close_idle_connections()
        busy = self._busy()
        if not busy:
            logger.warning("drained in %.1f s", time.monotonic() - (self.signalled_at or self.deadline - self.grace))
            self._stop(0)
        elif time.monotonic() >= self.deadline:
            self._cut(busy)
        else:
            reactor.callLater(TICK_S, self._tick)

    def _cut(self, busy: list[Any]) -> None:
        for protocol in busy:
            what = _describe(protocol)
            self.cut.append(what)
            with _logged("cut %s", what):
                answerable = getattr(protocol, "channel", None) is not None and not protocol._response_started
                if isinstance(protocol, WebRequest) and answerable:
                    logger.error("shutdown grace (%s s) over: cut %s with a 503", self.grace, what)
                    _answer_unavailable(protocol)
                else:
                    logger.error("shutdown grace (%s s) over: cut %s", self.grace, what)
                    transport = getattr(protocol, "transport", None)
                    if transport is not None:
                        transport.abortConnection()
        flush_until = time.monotonic() + FLUSH_WAIT_S

        def stop_when_flushed() -> None:
            with _logged("wait for the 503s"):
                open_ = [p for p in busy if isinstance(p, WebRequest) and getattr(p, "channel", None) is not None]
                if open_ and time.monotonic() < flush_until:
                    reactor.callLater(0.05, stop_when_flushed)
                    return
            self._stop(1)

        stop_when_flushed()

    def _stop(self, code: int) -> None:
        self.exit_code = code
        logger.info("stopping the reactor")
        with _logged("stop the reactor"):
            reactor.stop()

    def kill_all_applications(self) -> Any:
        """Cancel what is left and let the reactor stop once it ends or after CANCEL_WAIT_S.

        daphne's version waits for the cancelled instances, and a cancelled sync view keeps its
        task until its thread returns (asgiref waits for it): a stuck view held the process.
        Deferred.fromFuture's cancel waits for the future too, hence a Deferred of our own.
        """
        pending = []
        for details in self.connections.values():
            application = details.get("application_instance")
            if application is not None and not application.done():
                application.cancel()
                pending.append(application)
        if not pending:
            return None
        logger.info("cancelled %d application instance(s)", len(pending))
        done: defer.Deferred[None] = defer.Deferred()

        def fire(*_args: Any) -> None:
            if not done.called:
                done.callback(None)

        asyncio.gather(*pending, return_exceptions=True).add_done_callback(fire)
        reactor.callLater(CANCEL_WAIT_S, fire)
        return done

    def _watchdog(self) -> None:
        if self.finished.wait(timeout=max(0.0, self.deadline + HARD_EXIT_MARGIN - time.monotonic())):
            return
        logger.critical("shutdown still not done %s s after its grace: exiting hard; its threads:", HARD_EXIT_MARGIN)
        with contextlib.suppress(Exception):
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        stop_child_processes(wait=0.5)
        hard_exit(1)


@contextlib.contextmanager
def _logged(what: str, *args: Any) -> Iterator[None]:
    try:
        yield
    except Exception:
        logger.exception("shutdown: could not " + what, *args)


def _answer_unavailable(request: WebRequest) -> None:
    """A 503 for a request cut before it was answered. Its client cannot tell whether a write
    happened; a retry with the same Idempotency-Key is safe either way."""
    path = request.path.decode("ascii", "replace") if request.path else ""
    if path.startswith("/api/"):
        body = (
            b'{"error": {"status": 503, "code": "shutting_down", '
            b'"message": "The server shut down before answering; try again."}}'
        )
        kind = b"application/json"
    else:
        body, kind = b"The server shut down before answering; try again.\n", b"text/plain; charset=utf-8"
    request.handle_reply(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", kind), (b"retry-after", b"1"), (b"content-length", b"%d" % len(body))],
        }
    )
    request.handle_reply({"type": "http.response.body", "body": body})


# --- Child processes and the exit -------------------------------------------------------------


def child_pids(parent: int | None = None) -> list[int]:
    """Live processes whose parent is ``parent`` (this one), read from /proc."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The name in parentheses may hold spaces: the fields after its last ")" are fixed.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip())[:200]
    except OSError:
        return "?"


def _reap(pid: int) -> bool:
    """True once ``pid`` is gone (reaped here, or by the Popen that started it)."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid


def stop_child_processes(wait: float = CHILD_TERM_WAIT_S) -> None:
    """SIGTERM every child still running, SIGKILL those alive ``wait`` seconds later."""
    children = child_pids()
    for pid in children:
        logger.warning("stopping child process %d: %s", pid, _command_line(pid))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while children and time.monotonic() < deadline:
        children = [pid for pid in children if not _reap(pid)]
        time.sleep(0.02)
    for pid in children:
        logger.error("child process %d did not stop on SIGTERM: killed", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _release_resources() -> None:
    from django.db import connections

    from apps.core.platform import documents

    server = documents.embedded_server()
    if server is not None and server.process is not None and server.running:
        logger.info("stopping the embedded document server (pid %d)", server.process.pid)
    # Closes the client and stops the embedded server this process started (and its supervision).
    documents.reset()
    close_pool = getattr(connections["default"], "close_pool", None)
    if close_pool is not None:  # PostgreSQL's pool, shared by every request thread
        close_pool()


def shut_down(code: int, wait: float = CLEANUP_WAIT_S) -> None:
    """Release what this process holds, stop its children and exit, whatever its threads do."""
    cleanup = threading.Thread(target=_release_resources, name="shutdown-cleanup", daemon=True)
    cleanup.start()
    cleanup.join(timeout=wait)
    if cleanup.is_alive():
        logger.error("releasing resources took over %s s; stopping children anyway", wait)
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    stop_child_processes()
    logger.info("exiting with status %d", code)
    hard_exit(code)


def hard_exit(code: int) -> None:
    # os._exit: the interpreter's normal exit joins every request thread, a stuck one forever.
    with contextlib.suppress(Exception):
        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def serve(
    application: Any,
    *,
    host: str,
    port: int,
    grace: float,
    proxy_headers: bool = False,
    access_log: TextIO | None = None,
    verbosity: int = 1,
    ready: Callable[[], None] | None = None,
) -> None:
    """Serve until a signal, drain, and exit the process (never returns)."""
    server = GracefulServer(
        application,
        grace=grace,
        endpoints=build_endpoint_description_strings(host=host, port=port),
        action_logger=AccessLogGenerator(access_log) if access_log else None,
        # daphne's command-line defaults, where they differ from its Server's.
        websocket_connect_timeout=5,
        websocket_handshake_timeout=5,
        verbosity=verbosity,
        proxy_forwarded_address_header="X-Forwarded-For" if proxy_headers else None,
        proxy_forwarded_port_header="X-Forwarded-Port" if proxy_headers else None,
        proxy_forwarded_proto_header="X-Forwarded-Proto" if proxy_headers else None,
        ready_callable=ready,
    )
    logger.info("serving on %s:%s; SIGTERM drains for up to %s s", host, port, grace)
    server.run()
    server.finished.set()
    if server.abort_start:
        shut_down(1)
    if server.cut:
        logger.error("shut down after cutting %d request(s): %s", len(server.cut), "; ".join(server.cut))
    shut_down(server.exit_code)
