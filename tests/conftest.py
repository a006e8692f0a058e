"""Fixtures shared by every test: real parts on loopback, a clean slate per test, a cast of users."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from apps.core.platform import documents, presence
from tests.api_clients import jwt_client
from tests.core.factories import UserFactory
from tests.utils import free_port, wait_for_http


def pytest_report_header(config: pytest.Config) -> list[str]:
    sql = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = "redis" if settings.REDIS_URL else None
    browser = "required (CI=true)" if os.environ.get("CI") == "true" else "run when Chromium is installed"
    return [
        "backends: "
        f"sql={sql} cache={redis or 'local memory'} channels={redis or 'in-memory'} "
        f"documents={documents.backend_name()} "
        f"storage={'s3' if settings.AWS_STORAGE_BUCKET_NAME else 'filesystem'} (+ s3 on moto's server)",
        f"browser tests: {browser}",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests run last: they start Playwright's event loop in the main thread.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# --- SQL ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Close PostgreSQL's connection pools before the test databases are made. A query run while
    tests are collected (a schema generator asking a view for its queryset, say) opens a pool on
    the configured database; creating the test database only renames the connection, so that
    pool would go on serving the real database: the suite would migrate and write into it, and
    the servers it starts, which open the test database, would find no tables."""
    for connection in connections.all():
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


# --- Document store ---------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def document_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A test database in the configured store, or in an embedded server of the test run's own."""
    # One per xdist worker (as pytest-django names the SQL ones), or each would empty the other's.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    settings.MONGODB_DB = f"test_{settings.MONGODB_DB or documents.DEFAULT_DB_NAME}{f'_{worker}' if worker else ''}"
    if not settings.MONGODB_URL:
        settings.DOCUMENTS_EMBEDDED_DIR = tmp_path_factory.mktemp("documents")
    documents.reset()
    yield
    try:
        documents.client().drop_database(settings.MONGODB_DB)
    finally:
        documents.reset()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    # A real hasher costs ~0.25 s per password; the suite hashes hundreds. Tests of the hashing
    # itself are Django's business. (Forked live servers inherit this too.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_slate() -> Iterator[None]:
    """Each test starts with empty caches and an empty document database."""
    for alias in settings.CACHES:
        caches[alias].clear()
    presence.reset_local()  # the embedded presence store is a cache of its own
    yield
    if documents._client is not None:
        # Empty the collections rather than drop the database: nx-27017 deletes a dropped
        # database's SQLite file, which a live server's open connection then fails to write.
        database = documents.database()
        for name in database.list_collection_names():
            database[name].delete_many({})


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Files a test stores (covers, avatars, seeded demo images) go to a directory of its own
    rather than var/media; with S3 configured they go to its bucket."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        location = tmp_path_factory.mktemp("media")
        default = settings.STORAGES["default"]
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**default, "OPTIONS": {**default.get("OPTIONS", {}), "location": location}},
        }


# --- S3 through moto's standalone server -----------------------------------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server as its own process on a free loopback port; yields its endpoint URL."""
    port = free_port()
    log = open(Path(tempfile.gettempdir()) / f"moto-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(endpoint, process=process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@pytest.fixture
def s3_bucket(s3_server: str) -> Iterator[str]:
    name = f"test-{os.urandom(4).hex()}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_CREDENTIALS["secret_key"],
        region_name=S3_CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=name)
    yield name
    objects = client.list_objects_v2(Bucket=name).get("Contents", [])
    for obj in objects:
        client.delete_object(Bucket=name, Key=obj["Key"])
    client.delete_bucket(Bucket=name)


@pytest.fixture
def s3_storage(settings, s3_server: str, s3_bucket: str):  # type: ignore[no-untyped-def]
    """Point default_storage at a fresh bucket on moto's S3 server for one test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": s3_server,
                "location": "media",
                # As config/settings.py sets them for production:
                "file_overwrite": False,
                "default_acl": None,
                **S3_CREDENTIALS,
            },
        },
    }
    settings.AWS_STORAGE_BUCKET_NAME = s3_bucket
    from django.core.files.storage import default_storage

    return default_storage


# --- Background work: a real worker on the real broker ----------------------------------


def purge_queues() -> None:
    """Drop every message waiting on the broker (a previous test's leftovers)."""
    from config.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in settings.CELERY_WORKER_QUEUES:
            with contextlib.suppress(Exception):  # a queue never declared has nothing to purge
                channel.queue_purge(queue)


@pytest.fixture
def celery_worker(transactional_db):  # type: ignore[no-untyped-def]
    """A Celery worker in a thread of the test process, consuming the configured broker (the
    filesystem transport by default, Redis in CI). It sees committed rows only, hence
    ``transactional_db``; tasks run one at a time in its thread."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    purge_queues()
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=15,
        queues=settings.CELERY_WORKER_QUEUES,
    ) as worker:
        yield worker
    purge_queues()


@dataclass(frozen=True)
class QueuedTask:
    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    queue: str


class TaskQueue:
    """What is waiting on the real broker, taken off it in the test's own thread.

    For tests that check what a request queued, or its effect, without starting a worker (which
    costs a second and a transactional database): ``take()`` removes and returns the waiting
    tasks, ``run()`` runs them here one by one (each one's own on-commit work included, so a task
    that queues an email gets it queued and run too) until none is left."""

    def take(self) -> list[QueuedTask]:
        from config.celery import app

        found = []
        with app.connection_for_read() as connection:
            channel = connection.default_channel
            for queue in settings.CELERY_WORKER_QUEUES:
                with contextlib.suppress(Exception):  # a queue never declared holds nothing
                    while (message := channel.basic_get(queue, no_ack=True)) is not None:
                        args, kwargs, _ = message.decode()
                        found.append(QueuedTask(message.headers["task"], list(args), kwargs, queue))
        return found

    def run(self) -> list[str]:
        from django.test import TestCase

        from config.celery import app

        ran = []
        while waiting := self.take():
            for task in waiting:
                with TestCase.captureOnCommitCallbacks(execute=True):
                    app.tasks[task.name].apply(args=task.args, kwargs=task.kwargs, throw=True)
                ran.append(task.name)
        return ran


@pytest.fixture
def task_queue(db):  # type: ignore[no-untyped-def]
    purge_queues()
    yield TaskQueue()
    purge_queues()


@pytest.fixture
def queued_work(task_queue, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``with queued_work(): client.post(...)``: the request's transaction commits (so what it
    queued reaches the broker), then what it queued runs, as a worker would run it next."""

    @contextlib.contextmanager
    def commit_then_run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        task_queue.run()

    return commit_then_run


@pytest.fixture
def worker_alive(db):  # type: ignore[no-untyped-def]
    """A worker's heartbeat is recent (the row a running worker writes), for readiness checks
    that are not about workers; tests/core/platform/test_workers.py runs a real one."""
    from apps.core.platform import workers

    workers.record_heartbeat(hostname="celery@test", queues=list(settings.CELERY_WORKER_QUEUES))


# --- A cast of users --------------------------------------------------------------------


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return UserFactory(display_name="Mia Member")


@pytest.fixture
def stranger(db):  # type: ignore[no-untyped-def]
    return UserFactory(display_name="Sam Stranger")


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    """An admin: staff flags follow the admin role."""
    return UserFactory(display_name="Stacy Staff", roles=["admin"])


@pytest.fixture
def superuser(db):  # type: ignore[no-untyped-def]
    return UserFactory(display_name="Sue Super", roles=["super_admin"])


@pytest.fixture
def anonymous() -> None:
    return None


ROLE_CAST = ["super_admin", "admin", "instructor", "shop_owner", "blog_admin", "blog_author", "student"]


@pytest.fixture
def user_with_role(db):  # type: ignore[no-untyped-def]
    """``user_with_role("instructor")``: a verified user holding that role (None: a plain member)."""

    def make(role: str | None, **fields):  # type: ignore[no-untyped-def]
        return UserFactory(roles=[role] if role else [], **fields)

    return make


@pytest.fixture
def cast(user_with_role):  # type: ignore[no-untyped-def]
    """One user per role, plus "member" (no role) and "anonymous" (None)."""
    people = {role: user_with_role(role, display_name=role.replace("_", " ").title()) for role in ROLE_CAST}
    people["member"] = user_with_role(None, display_name="Member")
    people["anonymous"] = None
    return people


@pytest.fixture
def client_for(db):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a test client signed in as ``user`` (anonymous for None)."""

    def make(user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the API fuzz runs (tests/fuzzing.py): rates far above what a run sends, so throttling
    stays on (and 429 documented) but hundreds of requests from one address are no 429s."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min", "auth": "100000/min"}
    )


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client sending a fresh JWT access token of ``user`` (anonymous
    for None), as an app would after signing in."""
    return jwt_client
