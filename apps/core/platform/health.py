"""Readiness of each part the platform runs on: SQL, cache, channel layer, documents, files,
the task broker and its workers.

Each probe makes a real round trip with a short timeout, so `/readyz` and `check_services`
tell an operator which part is down rather than hanging with it. `/readyz` (and the status page)
run the probes at once, each in a thread of its own given ``READYZ_PROBE_TIMEOUT_MS``: a part that
hangs is named down ("Timeout") and the answer still comes within 2 s. A probe still hanging from an
earlier check is waited on again, never started a second time, so a frozen part costs one thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache, caches
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from kombu import Connection

from apps.core.platform import documents, workers

logger = logging.getLogger(__name__)

CHANNEL_TIMEOUT_S = 1.0  # within /readyz's 2 s: this probe runs in the caller's thread


@dataclass(frozen=True)
class PartStatus:
    name: str
    backend: str
    ok: bool
    latency_ms: float
    error: str = ""

    @property
    def status(self) -> str:
        return "ok" if self.ok else "down"

    def as_dict(self, *, with_error_detail: bool) -> dict[str, object]:
        data = asdict(self)
        data.pop("ok")
        data["status"] = self.status
        if self.ok:
            data.pop("error")
        elif not with_error_detail:
            # Public answers name the failure, not hosts, ports or credentials from the message.
            data["error"] = self.error.split(":", 1)[0]
        return data


def _sql() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("CacheMiss: a value written could not be read back")
    finally:
        cache.delete(key)


async def _channel_round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("NoChannelLayer: CHANNEL_LAYERS has no default layer")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "readyz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "readyz.ping":
        raise RuntimeError(f"UnexpectedMessage: {message!r}")


def _channels() -> None:
    async def bounded() -> None:
        await asyncio.wait_for(_channel_round_trip(), CHANNEL_TIMEOUT_S)

    async_to_sync(bounded)()


def _storage() -> None:
    # A HEAD on the bucket proves the endpoint, credentials and bucket without writing an
    # object on every probe (exists() would not: it answers False for a missing bucket).
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:
        bucket.meta.client.head_bucket(Bucket=bucket.name)
        return
    default_storage.exists("readyz-probe")
    if isinstance(default_storage, FileSystemStorage):
        location = default_storage.location
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise PermissionError(f"PermissionError: {location} is not writable")


def _broker() -> None:
    # A fresh connection with the short timeout, then a passive declare of the default queue: a
    # round trip that proves the broker answers without creating or sending anything. "No such
    # queue" is an answer too (Redis has no key for an empty queue; RabbitMQ before any worker
    # declared it).
    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    options = {"socket_timeout": timeout}
    url = settings.CELERY_BROKER_URL
    # The embedded broker's own transport class goes with its filesystem:// address only (the
    # app's configured transport would otherwise be used whatever the address says).
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT", None) if url.startswith("filesystem://") else None
    if transport:
        options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, **options}
    with Connection(url, transport=transport, connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        try:
            conn.default_channel.queue_declare(queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True)
        except Exception as exc:
            if not _is_not_found(exc):
                raise


def _is_not_found(exc: Exception) -> bool:
    return getattr(exc, "reply_code", None) == 404 or "NOT_FOUND" in str(exc)


class NoWorker(RuntimeError):
    """No worker has recorded a heartbeat recently enough."""


def _worker() -> None:
    if not workers.live_workers():
        raise NoWorker(
            f"no worker has reported in the last {settings.WORKER_STALE_SECONDS} s (start one: celery -A config worker)"
        )


PROBES: dict[str, Callable[[], None]] = {
    "sql": _sql,
    "cache": _cache,
    "channels": _channels,
    "documents": documents.ping,
    "storage": _storage,
    "broker": _broker,
    "worker": _worker,
}

# Backend classes by the names operators know them by.
_BACKEND_NAMES = {
    "RedisCache": "redis",
    "LocMemCache": "local memory",
    "RedisChannelLayer": "redis",
    "InMemoryChannelLayer": "in-memory",
    "S3Storage": "s3",
    "FileSystemStorage": "filesystem",
}


_CONFIGURED: dict[str, Callable[[], object]] = {
    "cache": lambda: caches["default"],
    "channels": get_channel_layer,
    "storage": lambda: default_storage,
}


def _broker_backend() -> str:
    scheme = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return {"amqp": "rabbitmq", "pyamqp": "rabbitmq", "rediss": "redis"}.get(scheme, scheme)


def backend_of(name: str) -> str:
    """Which backend a part runs on, read from the configured objects (no round trip)."""
    try:
        if name == "sql":
            return connections["default"].vendor
        if name == "documents":
            return documents.backend_name()
        if name in ("broker", "worker"):
            return _broker_backend() if name == "broker" else "celery"
        part = _CONFIGURED[name]()
    except Exception:  # misconfigured: the probe will say what is wrong
        return "unknown"
    class_name = part.__class__.__name__  # __class__, not type(): default_storage is a lazy proxy
    return _BACKEND_NAMES.get(class_name, class_name)


def check_part(name: str) -> PartStatus:
    """Probe one part; never raises."""
    started = time.perf_counter()
    try:
        PROBES[name]()
    except Exception as exc:
        latency = (time.perf_counter() - started) * 1000
        message = str(exc)
        error = message if message.split(":", 1)[0] == type(exc).__name__ else f"{type(exc).__name__}: {message}"
        logger.warning("readiness: %s is down: %s", name, error)
        return PartStatus(name, backend_of(name), False, round(latency, 2), error.strip())
    latency = (time.perf_counter() - started) * 1000
    return PartStatus(name, backend_of(name), True, round(latency, 2))


class _Run:
    """One probe's run in its own thread; every check that arrives while it is in flight waits
    on this same run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = time.monotonic()
        self.done = threading.Event()
        self.result: PartStatus | None = None
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"readyz-{name}")

    def _run(self) -> None:
        try:
            self.result = check_part(self.name)
        finally:
            # The thread's own SQL connection (the probes of sql and worker open one) goes back.
            connections.close_all()
            with _runs_lock:
                if _runs.get(self.name) is self:
                    del _runs[self.name]
            self.done.set()


_runs: dict[str, _Run] = {}
_runs_lock = threading.Lock()


def _run_of(name: str) -> _Run:
    with _runs_lock:
        run = _runs.get(name)
        if run is None:
            run = _runs[name] = _Run(name)
            run.thread.start()
        return run


def _in_caller_thread(name: str) -> bool:
    # The channel layer's round trip runs here, bounded by CHANNEL_TIMEOUT_S: under daphne this
    # thread's async_to_sync runs it on the server's event loop, where the layer's consumers
    # receive; from a thread of its own it would run on a second loop, and channels_redis refuses
    # two loops receiving at once ("channels: down" whenever a websocket was open).
    # Inside a transaction (a test's), another connection would not see this one's rows (the
    # workers' heartbeats): the SQL probes run here, bounded by the database's own timeouts.
    return name == "channels" or (name in ("sql", "worker") and connections["default"].in_atomic_block)


def _timed_out(run: _Run, since: float, timeout: float) -> PartStatus:
    waited = time.monotonic() - run.started
    if run.started < since:
        error = f"Timeout: still no answer from a check started {waited:.1f} s ago"
    else:
        error = f"Timeout: no answer within {timeout:.1f} s"
    logger.warning("readiness: %s is down: %s", run.name, error)
    return PartStatus(run.name, backend_of(run.name), False, round(waited * 1000, 2), error)


def check_parts(timeout: float | None = None) -> list[PartStatus]:
    """Probe every part, answering in a fixed order.

    With ``timeout`` (seconds), the probes run at once and any that has not answered by then is
    down with a "Timeout" error; without, they run one after another in this thread, each as
    long as its own timeouts allow (``check_services``, where the full error matters more).
    """
    if timeout is None:
        return [check_part(name) for name in PROBES]
    started = time.monotonic()
    deadline = started + timeout
    runs = {name: _run_of(name) for name in PROBES if not _in_caller_thread(name)}
    here = {name: check_part(name) for name in PROBES if name not in runs}
    results: list[PartStatus] = []
    for name in PROBES:
        if name in here:
            results.append(here[name])
            continue
        run = runs[name]
        if run.done.wait(max(0.0, deadline - time.monotonic())) and run.result is not None:
            results.append(run.result)
        else:
            results.append(_timed_out(run, started, timeout))
    return results


def readiness() -> list[PartStatus]:
    """Every part for ``/readyz`` and the status page: at once, each within READYZ_PROBE_TIMEOUT_MS."""
    return check_parts(timeout=settings.READYZ_PROBE_TIMEOUT_MS / 1000)
