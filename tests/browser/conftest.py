"""Browser journeys: Playwright drives Debian's Chromium against a live daphne server.

The server is a forked child of the test process, so it uses the same test database
(committed by ``transactional_db``), document store and settings as the test itself.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from asgiref.sync import SyncToAsync
from daphne.testing import DaphneProcess
from django.core.cache import caches
from django.db import connections

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine has no internet: keep Chromium from trying to phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _application():  # type: ignore[no-untyped-def]
    from config.asgi import application

    return application


def _forget_inherited_connections() -> None:
    # The fork copied the parent's database sockets and pool threads; using (or closing) them
    # here would corrupt the parent's sessions, so drop them and let the child open its own.
    for connection in connections.all(initialized_only=True):
        connection.connection = None
    pools = getattr(type(connections["default"]), "_connection_pools", None)
    if pools is not None:
        pools.clear()
    # Likewise asgiref's one-thread executor behind database_sync_to_async: its worker thread did
    # not survive the fork, so work handed to it (a websocket's user, a consumer's query) would
    # wait forever once async tests in the parent had started it.
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    # The server outlives the tests it serves, and each of them ends by emptying the tables
    # (content types included, made again with new ids): a content type kept from an earlier
    # test would name a row that is gone (the admin's log then fails its foreign key). Each
    # request reads them afresh.
    from django.contrib.contenttypes.models import ContentType
    from django.core.signals import request_started

    ContentType.objects.clear_cache()
    request_started.connect(_forget_content_types, weak=False)


def _forget_content_types(**kwargs: object) -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the browser tests: install Debian's chromium package (.ci/run does).")
    pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skip outside CI.")


@pytest.fixture(scope="session")
def live_mailbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the live server writes its emails (one file per message)."""
    return tmp_path_factory.mktemp("mail")


def read_mails(mailbox: Path) -> list[str]:
    """Every message the live server has sent so far, oldest first."""
    return [path.read_text() for path in sorted(mailbox.glob("*.log"), key=lambda p: p.stat().st_mtime)]


@contextmanager
def _served(live_mailbox: Path, django_db_blocker, **overrides: object) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A daphne server forked from this process with these settings changed; its base URL."""
    from django.conf import settings

    changed = {
        # The test run's in-memory mailbox would stay inside the server process; files don't.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(live_mailbox),
        # The tests change content from their own process, which cannot clear the server's
        # local-memory cache; the server reads site-wide content and renders pages fresh instead.
        "SITE_CACHE_SECONDS": 0,
        "PAGE_CACHE_SECONDS": 0,
        **overrides,
    }
    before = {name: getattr(settings, name) for name in changed}
    for name, value in changed.items():
        setattr(settings, name, value)
    # The forked server starts with this process's memory: whatever the test before it left in
    # the local-memory cache (a site-wide read with an old timeout) must not follow it there.
    for alias in settings.CACHES:
        caches[alias].clear()
    try:
        with django_db_blocker.unblock():
            process = DaphneProcess(host="127.0.0.1", get_application=_application, setup=_forget_inherited_connections)
            process.daemon = True
            process.start()
    finally:
        for name, value in before.items():
            setattr(settings, name, value)
    if not process.ready.wait(20):
        error = process.errors.get(timeout=1)[1] if not process.errors.empty() else "no error reported"
        process.terminate()
        raise RuntimeError(f"daphne did not start: {error}")
    try:
        yield f"http://127.0.0.1:{process.port.value}"
    finally:
        process.terminate()
        process.join(10)


@pytest.fixture(scope="session")
def _daphne(django_db_setup, django_db_blocker, live_mailbox: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _served(live_mailbox, django_db_blocker) as url:
        yield url


@pytest.fixture(scope="session")
def _daphne_debug(django_db_setup, django_db_blocker, live_mailbox: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    # `make run` serves with DEBUG on, and some failures only show there (Django's debug pages).
    with _served(live_mailbox, django_db_blocker, DEBUG=True) as url:
        yield url


@pytest.fixture
def live_debug_server_url(_daphne_debug: str, transactional_db) -> str:  # type: ignore[no-untyped-def]
    """A second live server, under DEBUG as `make run` serves."""
    return _daphne_debug


@pytest.fixture
def live_server_url(_daphne: str, transactional_db) -> str:  # type: ignore[no-untyped-def]
    """The live server's base URL; data the test creates is committed, so the server sees it."""
    return _daphne


@pytest.fixture(scope="module")
def browser(chromium_executable: str, _daphne: str, _daphne_debug: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait up to 15 s (Playwright's default is 5): `make test` runs two xdist workers,
    # and a page, its live server and Chromium then share the machine with another test.
    expect.set_options(timeout=15_000)

    # The servers are forked before Playwright starts its driver: a server forked after it would
    # hold the driver's pipes open, and Playwright's exit would wait for it forever.

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so tell Django that is intended while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server_url: str):  # type: ignore[no-untyped-def]
    """``open_page(**context_options)``: a page in a fresh browser context (its own cookies).

    Every page fails the test at teardown if it logged an error: a script error, a failed
    request, or a Content-Security-Policy violation.
    """
    opened: list[tuple[object, list[str]]] = []

    def make(*, expected_failures: tuple[str, ...] = (), **options):  # type: ignore[no-untyped-def]
        # expected_failures: paths whose failure the test itself provokes (the browser's "Failed to
        # load resource" and htmx's "Response Status Error Code ... from <path>" are then expected).
        context = browser.new_context(**{"base_url": live_server_url, **options})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def console(msg) -> None:  # type: ignore[no-untyped-def]
            url = msg.location.get("url", "")
            failed_load = msg.text.startswith("Failed to load resource") and url.endswith(expected_failures)
            failed_htmx = msg.text.startswith("Response Status Error Code") and any(
                f" from {path}," in msg.text for path in expected_failures
            )
            if msg.type == "error" and not (expected_failures and (failed_load or failed_htmx)):
                # The console message's location names the URL behind "Failed to load resource".
                errors.append(f"{msg.text} ({url})")

        page.on("console", console)
        opened.append((context, errors))
        return page

    yield make
    logged = [error for _, errors in opened for error in errors]
    for context, _ in opened:
        context.close()
    assert not logged, f"pages logged errors: {logged}"


@pytest.fixture
def page(open_page):  # type: ignore[no-untyped-def]
    return open_page()
