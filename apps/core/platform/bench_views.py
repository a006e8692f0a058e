"""The benchmark's yardstick (mounted only with BENCH=true, see bench/README.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def hello(request: HttpRequest) -> HttpResponse:
    """The least a request can cost here: every middleware, URL resolution, no template, no query.
    `make bench` reports each page's requests per second as a fraction of this view's."""
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")
