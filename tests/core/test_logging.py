"""The console log: one line per request (method, path, status, duration), 4xx without a
traceback, 5xx with exactly one. Checked on the development server ``make run`` starts
(daphne's runserver, DEBUG on), in a process of its own so its logging is configured as at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import path

from config import urls as project_urls
from tests.utils import free_port, wait_for_http


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("kaboom")


def _forbidden(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied


urlpatterns = [
    path("api/v1/boom/", _boom),
    path("api/v1/forbidden/", _forbidden),
    *project_urls.urlpatterns,
]
handler400, handler403 = project_urls.handler400, project_urls.handler403
handler404, handler500 = project_urls.handler404, project_urls.handler500

SERVER = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.ROOT_URLCONF = "tests.core.test_logging"
call_command("migrate", "--no-input", verbosity=0)
call_command("runserver", "--noreload", "--skip-checks", sys.argv[1])
"""


@pytest.fixture
def console(tmp_path):  # type: ignore[no-untyped-def]
    """A development server's URL and a function that returns what it has logged so far."""
    port = free_port()
    log_path = tmp_path / "console.log"
    env = {**os.environ, "DEBUG": "true", "VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    env.pop("LOG_LEVEL", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/healthz?up", timeout=60, process=process)
        yield url, lambda: log_path.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _lines_about(log: str, path: str) -> list[str]:
    return [line for line in log.splitlines() if path in line]


def test_each_request_logs_one_line_and_only_a_server_error_a_traceback(console):
    url, read_log = console
    statuses = {
        "/healthz": 200,
        "/api/v1/forbidden/": 403,
        "/api/v1/no-such-thing/": 404,
        "/api/v1/boom/": 500,
    }
    for target, status in statuses.items():
        assert requests.get(url + target, timeout=10).status_code == status
    requests.get(url + "/healthz?last", timeout=10)
    for _ in range(100):  # the access line is written after the answer: wait for the last one
        if "/healthz?last" in read_log():
            break
        time.sleep(0.1)

    log = read_log()
    for target, status in statuses.items():
        lines = _lines_about(log, f" {target} ")
        assert len(lines) == 1, (target, log)
        assert "GET" in lines[0] and str(status) in lines[0]
    assert log.count("Traceback") == 1, log
    assert "RuntimeError: kaboom" in log and "PermissionDenied" not in log
