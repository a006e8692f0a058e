from __future__ import annotations

import json
import os
import threading
import time

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.platform import documents, health
from tests.utils import daphne_server, free_port, wait_until

PARTS = ["sql", "cache", "channels", "documents", "storage", "broker", "worker"]


def closed_redis_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def test_healthz_answers_without_touching_any_service(client):
    # No db fixture: pytest-django would fail the test on any database access.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_every_part_with_backend_status_and_latency(client, worker_alive):
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert list(body["parts"]) == PARTS
    for name, part in body["parts"].items():
        assert part["status"] == "ok", (name, part)
        assert part["backend"]
        assert part["latency_ms"] >= 0
    assert body["parts"]["sql"]["backend"] == ("postgresql" if settings.DATABASE_URL else "sqlite")
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_refuses_post(client):
    assert client.post("/readyz").status_code == 405


@pytest.fixture
def stopped_document_store(settings):
    """The document server stops (embedded), or the store is unreachable (configured)."""
    settings.MONGODB_TIMEOUT_MS = 300
    documents.reset()
    if settings.MONGODB_URL:
        settings.MONGODB_URL = f"mongodb://127.0.0.1:{free_port()}/"
    else:
        documents.ping()
        documents.embedded_server().stop()
    yield
    documents.reset()


def test_readyz_answers_503_naming_documents_when_the_document_server_stops(
    client, worker_alive, stopped_document_store
):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["parts"]["documents"]["status"] == "down"
    assert body["parts"]["documents"]["error"]
    assert all(body["parts"][name]["status"] == "ok" for name in PARTS if name != "documents")


def test_readyz_answers_503_naming_cache_when_redis_is_unreachable(client, db, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": closed_redis_url()},
    }

    body = client.get("/readyz").json()

    assert body["parts"]["cache"]["status"] == "down"
    assert body["parts"]["cache"]["error"] == "ConnectionError"


def test_readyz_answers_503_naming_channels_when_the_layer_is_unreachable(client, db, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [closed_redis_url()]},
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["parts"]["channels"]["status"] == "down"


def test_readyz_answers_503_naming_storage_when_the_bucket_is_missing(client, db, s3_storage, settings):
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = {**settings.STORAGES}  # signal the change so storages are rebuilt

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["parts"]["storage"]["status"] == "down"


def test_readyz_reports_s3_when_files_go_to_s3(client, db, s3_storage):
    part = client.get("/readyz").json()["parts"]["storage"]

    assert part == {**part, "backend": "s3", "status": "ok"}


def test_readyz_hides_error_detail_that_could_name_hosts(client, db, settings):
    port = free_port()
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"},
    }

    assert str(port) not in client.get("/readyz").content.decode()


def test_readyz_answers_503_naming_sql_when_database_url_points_at_a_closed_port(tmp_path):
    env = {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/platform",
        "DB_CONNECT_TIMEOUT": "1",
        "DB_POOL_TIMEOUT": "1",
        "DOCUMENTS_EMBEDDED_DIR": str(tmp_path / "documents"),
        "MONGODB_DB": settings.MONGODB_DB,
    }
    with daphne_server(env, tmp_path / "daphne.log") as url:
        response = requests.get(url + "/readyz", timeout=30)

    assert response.status_code == 503, response.text
    parts = response.json()["parts"]
    assert parts["sql"] == {**parts["sql"], "status": "down", "backend": "postgresql"}
    # The workers' heartbeats are rows in SQL: with it down, they cannot be read either.
    assert all(parts[name]["status"] == "ok" for name in PARTS if name not in ("sql", "worker")), json.dumps(parts)


def test_check_services_prints_a_table_of_every_part(worker_alive, capsys):
    call_command("check_services")

    out = capsys.readouterr().out
    for name in PARTS:
        assert name in out
    assert "all parts ok" in out


def test_check_services_fails_naming_the_part_that_is_down(db, stopped_document_store, capsys):
    with pytest.raises(CommandError, match="down: documents"):
        call_command("check_services")

    assert "DocumentStoreError" in capsys.readouterr().out


def test_sessions_survive_a_redis_outage(client, member, settings):
    # cached_db sessions on an alias that swallows Redis errors: the database still has them.
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": closed_redis_url(),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        },
    }
    client.force_login(member)

    response = client.get("/")

    assert response.status_code == 200
    assert response.wsgi_request.user == member


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_configured_redis_backs_the_cache_sessions_and_channel_layer(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.CACHES["sessions"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


# --- Probes at once, each bounded -----------------------------------------------------------


@pytest.fixture
def hanging_documents_probe(monkeypatch):  # type: ignore[no-untyped-def]
    """The documents probe hangs until the test lets it go (always let go, so no thread is left)."""
    release = threading.Event()
    calls = []

    def hang() -> None:
        calls.append(time.monotonic())
        release.wait(30)

    monkeypatch.setitem(health.PROBES, "documents", hang)
    yield calls
    release.set()
    assert wait_until(lambda: not probe_threads("documents"), 5)


def probe_threads(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == f"readyz-{name}"]


def test_readyz_answers_within_2_s_naming_a_part_that_hangs_and_never_piles_up_its_probes(
    client, worker_alive, hanging_documents_probe
):
    answers = []
    for _call in range(3):
        started = time.monotonic()
        response = client.get("/readyz")
        answers.append((time.monotonic() - started, response))

    for took, response in answers:
        assert took <= 2.0, took
        assert response.status_code == 503
        body = response.json()
        assert list(body["parts"]) == PARTS  # the order stays, whoever answers first
        assert body["parts"]["documents"] == {**body["parts"]["documents"], "status": "down", "error": "Timeout"}
        assert all(body["parts"][name]["status"] == "ok" for name in PARTS if name != "documents"), body
    # One hanging probe, waited on again by the later calls rather than started three times.
    assert len(hanging_documents_probe) == 1
    assert len(probe_threads("documents")) == 1


def test_a_part_still_hanging_from_an_earlier_check_is_named_so(worker_alive, hanging_documents_probe, settings):
    settings.READYZ_PROBE_TIMEOUT_MS = 200
    health.readiness()

    part = {status.name: status for status in health.readiness()}["documents"]

    assert not part.ok and part.error.startswith("Timeout: still no answer from a check started")


def test_readyz_probes_run_at_once(client, worker_alive, monkeypatch):
    slow = {name: health.PROBES[name] for name in ("cache", "documents", "storage", "broker")}

    def slowly(probe):  # type: ignore[no-untyped-def]
        def run() -> None:
            time.sleep(0.5)
            probe()

        return run

    for name, probe in slow.items():
        monkeypatch.setitem(health.PROBES, name, slowly(probe))
    started = time.monotonic()
    response = client.get("/readyz")
    took = time.monotonic() - started

    assert response.status_code == 200, response.content
    assert took < 1.5, f"four 0.5 s probes took {took:.2f} s: not at once"


def test_check_services_waits_for_a_slow_part_and_shows_its_full_error(db, worker_alive, monkeypatch, capsys):
    def slow_and_down() -> None:
        time.sleep(2)  # longer than /readyz gives a probe
        raise documents.DocumentStoreError("ServerSelectionTimeoutError: 127.0.0.1:1: refused")

    monkeypatch.setitem(health.PROBES, "documents", slow_and_down)

    with pytest.raises(CommandError, match="down: documents"):
        call_command("check_services")

    assert "ServerSelectionTimeoutError: 127.0.0.1:1: refused" in capsys.readouterr().out
