"""A part a request needs is unavailable (the document store down, frozen or restarting): a 503,
never a 500. DRF views get it from the API's exception handler (apps/core/api/errors.py); this
middleware answers every other view: the API's JSON error under /api/, the error page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from apps.core.api.errors import UNAVAILABLE_RETRY_AFTER_S, is_unavailable, log_unavailable, unavailable_response


class UnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return answer(request, exception)


def answer(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """The 503 for an exception that says a part is unavailable; None for any other (Django's own
    handling: 4xx pages, or the logged 500). The idempotency middleware asks it for the views it
    calls itself, whose exceptions never reach process_exception."""
    if not is_unavailable(exception):
        return None
    log_unavailable(exception, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = unavailable_response()
    else:
        from apps.core.site.views import service_unavailable

        response = service_unavailable(request)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_S)
        response._has_been_logged = True  # type: ignore[attr-defined]  # said above, with the cause
    # An outage's answer is never kept by a browser or the page cache.
    add_never_cache_headers(response)
    return response
