"""Queries per request of each bench target, counted out of band (`python -m bench.queries`).

The load run cannot count queries without slowing the process it measures, so this runs after
it, in a process with the same environment (same database, same cache backend), through the
full middleware stack with Django's test client. Each target is requested a few times first,
so caches are as warm as they were under load; then ``samples`` requests are counted.

Reads ``{"samples": n, "warmup": n, "targets": [{"name", "path", "cookie", "form", "session"}]}`` on stdin and
prints ``{name: queries per request}`` as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

BENCH_COOKIE = "bench=1"
HOST = "127.0.0.1"


def count_queries(
    path: str, *, cookie: bool, samples: int, warmup: int, form: str | None = None, session: str | None = None
) -> float:
    """Mean number of SQL queries one GET of ``path`` makes once warm (a visitor with a harmless
    cookie when ``cookie``, else a cookieless one, as the load generator sends them), or one
    htmx POST of ``form`` (a urlencoded body) by a new visitor, or by the signed-in person of
    ``session`` (a session key)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    headers = {"Cookie": BENCH_COOKIE} if cookie else {}

    def get() -> None:
        client.cookies.clear()  # the load generator keeps no cookies either
        if session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        if form is None:
            response = client.get(path, headers=headers)
        else:
            content_type = "application/x-www-form-urlencoded"
            response = client.post(path, form, content_type=content_type, headers={"HX-Request": "true"})
        if response.status_code != 200:
            raise RuntimeError(f"{'POST' if form else 'GET'} {path} answered {response.status_code}")

    for _ in range(warmup):
        get()
    with CaptureQueriesContext(connection) as captured:
        for _ in range(samples):
            get()
    return len(captured) / samples


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    spec: dict[str, Any] = json.load(sys.stdin)
    counts = {
        target["name"]: count_queries(
            target["path"],
            cookie=target["cookie"],
            samples=spec["samples"],
            warmup=spec["warmup"],
            form=target.get("form"),
            session=target.get("session"),
        )
        for target in spec["targets"]
    }
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
