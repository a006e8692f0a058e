"""What the fault tests break, each started by the test that breaks it.

- ``private_redis``: a redis-server of the test's own on a free port, to kill and start again.
  Skipped with a reason where the binary is missing, required under ``CI=true``.
- ``production_env``: the environment of a production-mode process (DEBUG off) that shares the
  test's SQL database (committed rows: the test needs ``transactional_db``) and document store.
  Serve it with ``tests.utils.daphne_server(env, log_path)``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from apps.core.platform import documents
from tests.utils import free_port

REDIS_SERVER = shutil.which("redis-server")


def require(condition: bool, reason: str) -> None:
    """Skip unless ``condition``; under CI=true a missing prerequisite fails instead."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


class RedisProcess:
    """One redis-server on a fixed free port, keeping nothing on disk; ``kill()`` and ``start()``
    again on the same port, as an outage and its end look to clients."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10.0) -> None:
        assert REDIS_SERVER is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - the child holds it
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise TimeoutError(f"redis-server did not answer on port {self.port}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no goodbye to clients, as when the server or its machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    require(REDIS_SERVER is not None, "needs the redis-server binary (Debian's redis-server package)")
    server = RedisProcess(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _database_env() -> dict[str, str]:
    db = connections["default"].settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return {"DATABASE_URL": f"postgresql://{user}{password}@{host}:{port}/{db['NAME']}", "SQLITE_PATH": ""}
    return {"DATABASE_URL": "", "SQLITE_PATH": str(db["NAME"])}


def _documents_url() -> str:
    if settings.MONGODB_URL:
        return settings.MONGODB_URL
    documents.client()  # starts the test run's embedded server if nothing has yet
    server = documents.embedded_server()
    assert server is not None
    return server.url


@pytest.fixture
def production_env(transactional_db, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A production-mode process's environment on the test's database and document store, with
    no Redis (embedded cache, in-memory layer, the test's filesystem broker) unless the test
    sets ``REDIS_URL``."""
    return {
        **_database_env(),
        "DEBUG": "false",
        "SECRET_KEY": "fault-suite-secret-key-not-for-production-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "false",
        "HTTPS": "false",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_FILESYSTEM_DIR": str(settings.CELERY_FILESYSTEM_DIR),
        "MONGODB_URL": _documents_url(),
        "MONGODB_DB": settings.MONGODB_DB,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
