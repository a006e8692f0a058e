"""Helpers for tests that start real servers on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import requests
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def wait_until(predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass (work done by a worker, a
    beat or another process shows up in its own time); True if it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 20.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered at {url} within {timeout}s")


@dataclass(frozen=True)
class Served:
    url: str
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def served_process(env: dict[str, str], log_path: Path, *, grace: float | None = None) -> Iterator[Served]:
    """The platform served by ``manage.py serve`` (production's server) in a separate process with
    ``env`` over this one's, once it answers /healthz; SIGTERM (then SIGKILL) on the way out.
    ``grace``: its SHUTDOWN_GRACE_SECONDS."""
    port = free_port()
    full_env = {**os.environ, **env}
    if grace is not None:
        full_env["SHUTDOWN_GRACE_SECONDS"] = str(int(grace))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "-b", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/healthz", process=process)
        yield Served(url, process)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def form_sign_in(url: str, email: str, password: str, *, timeout: float = 15) -> tuple[requests.Session, int]:
    """Sign in through the sign-in page of the server at ``url``, as a browser does (its CSRF
    cookie, then the form); the session holding the cookies, and the form's answer's status."""
    session = requests.Session()
    session.get(url + "/accounts/login/", timeout=timeout)
    response = session.post(
        url + "/accounts/login/",
        {"email": email, "password": password, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        allow_redirects=False,
        timeout=timeout,
    )
    return session, response.status_code


@contextlib.contextmanager
def daphne_server(env: dict[str, str], log_path: Path, *, grace: float | None = None) -> Iterator[str]:
    """Serve the platform from a separate process (daphne, through ``manage.py serve``) with
    ``env`` over this one's; yields its base URL."""
    with served_process(env, log_path, grace=grace) as served:
        yield served.url


def race(work: Callable[[int], T], times: int) -> list[T | BaseException]:
    """Run ``work(0) ... work(times - 1)`` in threads released together, as concurrent requests
    would arrive; returns each result or the exception it raised, in order.

    Each thread has its own database connection (closed when it ends), so the database's own
    locking decides the outcome.
    """
    start = threading.Barrier(times)
    results: list[T | BaseException] = [RuntimeError("did not run")] * times

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work(index)
        except BaseException as exc:  # handed back to the test, which decides
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_with_hookapp(*pytest_args: str, timeout: float = 600) -> None:
    """Run pytest on ``pytest_args`` in a process of its own with the tiny test app installed
    (tests/hookapp/settings.py: config.settings plus the app), and fail unless it passed. A
    process of its own because the hook registry and the urlconf are built once, at startup,
    from INSTALLED_APPS."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args, "--ds=tests.hookapp.settings", "-n0", "-q"]
        + ["-p", "no:cacheprovider"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.hookapp.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
