"""One JSON error shape for every API error, from DRF views and from Django alike::

    {"error": {"status": 400, "code": "invalid", "message": "Invalid input.",
               "fields": {"email": ["Enter a valid email address."]}}}

``fields`` appears only for validation errors, always a flat map of a field's name to its messages:
errors of a nested serializer, a list's items or a dict's values come out under dotted names
(``tags.0``, ``body.3.url``), so one schema describes every error. ``retry_after`` (seconds)
appears only for throttling, and on a 503 (a part the request needs is unavailable: the document
store down, frozen or restarting), which is an answer to retry rather than a bug.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.platform import documents

logger = logging.getLogger(__name__)

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    429: ("throttled", "Request was throttled."),
    500: ("server_error", "Something went wrong on our side; it has been logged."),
    503: ("unavailable", "A service this request needs is unavailable; try again in a few seconds."),
}

# What a 503 tells a client to wait: the embedded document server is back within a few seconds.
UNAVAILABLE_RETRY_AFTER_S = 5


def error_body(
    status_code: int, *, code: str | None = None, message: str | None = None, **extra: Any
) -> dict[str, Any]:
    default_code, default_message = MESSAGES.get(status_code, ("error", "Error."))
    body: dict[str, Any] = {
        "status": status_code,
        "code": code or default_code,
        "message": message or default_message,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return {"error": body}


def json_error(status_code: int, **kwargs: Any) -> JsonResponse:
    """A Django response in the API's error shape (for handlers outside DRF views)."""
    return JsonResponse(error_body(status_code, **kwargs), status=status_code)


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means a part the request needs is down (answered 503), not a bug (500):
    the document store, or the SQL database's connection lost under the request."""
    return documents.is_unavailable(exc) or database_unavailable(exc)


# SQLSTATE classes of a lost or refused connection: 08 (connection exception), 57P (operator
# intervention: a backend terminated, the server shutting down or starting up).
_CONNECTION_SQLSTATES = ("08", "57P")


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` is the SQL database going away under a request (a failover, a restart,
    pg_terminate_backend): the transaction rolled back, a retry may succeed. A mistake in SQL
    (a missing table, a bad column) is not: it stays a 500."""
    if isinstance(exc, InterfaceError):  # the connection was already closed
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if not type(cause).__module__.startswith("psycopg"):
        return "database is locked" in str(exc)  # SQLite: a writer held the lock past the timeout
    sqlstate = getattr(cause, "sqlstate", None)
    # No SQLSTATE: the server closed the socket or never answered (no message came to carry one).
    return sqlstate is None or sqlstate.startswith(_CONNECTION_SQLSTATES)


def log_unavailable(exc: BaseException, path: str) -> None:
    # One line, no traceback: an outage repeats it on every request, and /readyz names the part.
    part = "the database" if database_unavailable(exc) else "the document store"
    logger.warning("503 for %s: %s is unavailable (%s: %s)", path, part, type(exc).__name__, exc)


def unavailable_response() -> JsonResponse:
    """The API's 503 for a request whose document store is unavailable, outside DRF views."""
    response = json_error(503, retry_after=UNAVAILABLE_RETRY_AFTER_S)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_S)
    response._has_been_logged = True  # type: ignore[attr-defined]  # log_unavailable() said it, with the cause
    return response


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def flat_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's validation detail as ``{"name": [messages]}``, nested names joined with dots. A nested
    serializer's own (non-field) errors belong to the field that holds it."""
    fields: dict[str, list[str]] = {}

    def add(name: str, messages: list[str]) -> None:
        fields.setdefault(name or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)

    def walk(value: Any, name: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                key = str(key)
                nested = name and key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS)
                walk(item, name if nested else f"{name}.{key}" if name else key)
        elif isinstance(value, list | tuple):
            messages = [str(item) for item in value if not isinstance(item, dict | list | tuple)]
            if messages:
                add(name, messages)
            for index, item in enumerate(value):
                if isinstance(item, dict | list | tuple):  # a list serializer's items, by position
                    walk(item, f"{name}.{index}" if name else str(index))
        else:
            add(name, [str(value)])

    walk(detail, prefix)
    return fields


def _is_structured(detail: Any) -> bool:
    return isinstance(detail, dict) or (
        isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail)
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: DRF's own handling, reshaped. Unknown errors fall through to
    Django's 500 handler, which answers in the same shape for /api/ paths; an unavailable part
    (the document store) is a 503 here, not a 500."""
    if is_unavailable(exc):
        log_unavailable(exc, context["request"].path if context.get("request") is not None else "?")
        body = error_body(503, retry_after=UNAVAILABLE_RETRY_AFTER_S)
        response = Response(body, status=503, headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)})
        response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, with the cause
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if _is_structured(detail):
            extra["fields"] = flat_fields(detail)
            message = "Invalid input."
        else:
            message = _first_message(detail)
        code = "invalid"
    elif isinstance(exc.detail, dict) and "code" in exc.detail:
        # simplejwt puts its own code (token_not_valid, user_inactive ...) inside the detail.
        message = str(exc.detail.get("detail") or exc.default_detail)
        code = str(exc.detail["code"])
    else:
        message = _first_message(exc.detail)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait)
    response.data = error_body(response.status_code, code=code, message=message, **extra)
    return response
