"""Keeps pytest-xdist's workers (``make test`` runs two) out of each other's way.

Loaded with ``-p`` (pyproject's addopts) while pytest reads its arguments: before pytest-django
imports the settings, which read these variables once. A worker's database names come from
pytest-django (``test_platform_gw1``) and the document store's from tests/conftest.py; what is
shared by address is moved here:

- Redis: the suite flushes its database between tests, so worker ``gwN`` takes database
  (configured - N): CI's 15 for gw0, 14 for gw1. The cache, sessions, channel layer and Celery's
  broker all live there, so one worker's tasks and messages never reach the other.
- The embedded broker's folders (no Redis): one per worker, or one worker's Celery would run
  the other's tasks.

Outside xdist (``pytest -n0``, or a plain ``pytest``) nothing changes.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... set before this import

if WORKER:
    number = int(WORKER.removeprefix("gw"))
    redis_url = os.environ.get("REDIS_URL")
    if redis_url and number:
        parts = urlsplit(redis_url)
        database = int(parts.path.strip("/") or 0)
        os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{(database - number) % 16}"))
    os.environ["CELERY_FILESYSTEM_DIR"] = f"{os.environ.get('CELERY_FILESYSTEM_DIR', 'var/test-celery')}-{WORKER}"
