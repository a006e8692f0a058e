"""The OpenAPI schema's one source of error responses (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

drf-spectacular documents what a view's ``extend_schema`` names; the errors DRF itself answers
(an invalid token, a throttle, an unparseable body, a page past the end ...) come from the view's
classes, not its code, so this schema class adds them to every operation from those classes, in
the one error shape of ``errors.py``. A view's own description of a status code wins; a view
documents here only what it answers specially (a 409, a 403 of its own rule).

Methods a path does not list answer 405 with an ``Allow`` header: no operation can document that,
since it is the answer to a method that is not an operation.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly

from apps.core.api.auth_serializers import ErrorOutput

# Permissions that refuse only anonymous callers (with 401): a signed-in caller always passes them.
_ANONYMOUS_ONLY_REFUSALS = (AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly)
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

DESCRIPTIONS = {
    400: "Malformed input: a body that does not parse, or invalid fields or parameters (fields names them).",
    401: "Not signed in (not_authenticated), or an invalid, expired or outdated token.",
    403: "Not allowed (permission_denied), or a session request without its CSRF token (csrf_failed).",
    404: "No such object, or a page past the end of the list.",
    406: "The Accept header names no type this API answers in (it answers application/json).",
    415: "A body in a content type the operation does not take (see its request body).",
    429: "Too many requests (throttled): retry after retry_after seconds (also the Retry-After header).",
    409: "A request with this Idempotency-Key is still being processed (idempotency_in_progress): retry later.",
    422: "This Idempotency-Key was used for a different request (idempotency_key_reused).",
}
# Every unsafe operation takes the platform's idempotency key (apps/core/platform/idempotency.py).
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[!-~]([ -~]*[!-~])?$"},
    description=(
        "A key of the client's choosing (a UUID, say) naming this attempt: retrying with the same key "
        "and the same request replays the first answer (marked Idempotent-Replayed: true) instead of "
        "running it again; kept 24 hours, per user. A 5xx or 429 is not kept, so its retry runs again."
    ),
)
HEADERS = {
    401: {
        "WWW-Authenticate": {"schema": {"type": "string"}, "description": "How to authenticate: Bearer."},
    },
    429: {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."},
    },
    409: {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."},
    },
}


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method not in _SAFE_METHODS:
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            responses.setdefault(str(status), self._error_response(status))
        for status, headers in HEADERS.items():
            if str(status) in responses:
                responses[str(status)].setdefault("headers", headers)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_response(self, status: int) -> dict[str, Any]:
        return self._get_response_for_code(OpenApiResponse(ErrorOutput, description=DESCRIPTIONS[status]), str(status))

    def error_statuses(self, operation: dict[str, Any]) -> set[int]:
        """The errors DRF answers for this operation, whatever the view's own code does."""
        view = self.view
        authenticators = list(view.authentication_classes)
        permissions = list(view.permission_classes)
        parameters = operation.get("parameters", [])
        statuses = {406}  # content negotiation comes first, for every operation
        # A bearer token is checked wherever it is sent, public reads included; without such an
        # authenticator DRF answers a refused anonymous caller 403 instead.
        bearer = any(not issubclass(auth, SessionAuthentication) for auth in authenticators)
        refuses_anonymous = not all(issubclass(p, AllowAny) for p in permissions)
        if bearer:
            statuses.add(401)
        if not all(issubclass(p, _ANONYMOUS_ONLY_REFUSALS) for p in permissions) or (refuses_anonymous and not bearer):
            statuses.add(403)
        if self.method not in _SAFE_METHODS and any(issubclass(auth, SessionAuthentication) for auth in authenticators):
            statuses.add(403)
        if view.throttle_classes:
            statuses.add(429)
        if self.method not in _SAFE_METHODS:
            statuses |= {400, 409, 422}  # the idempotency key's: malformed, still running, reused
        if "requestBody" in operation:
            statuses |= {400, 415}
        page_parameters = self._page_parameters()
        if any(p["in"] == "query" and p["name"] not in page_parameters for p in parameters):
            statuses.add(400)
        if any(p["in"] == "path" for p in parameters) or any(p["name"] in page_parameters for p in parameters):
            statuses.add(404)
        return statuses

    def _page_parameters(self) -> set[str]:
        paginator = self._get_paginator()
        if paginator is None:
            return set()
        return {parameter["name"] for parameter in paginator.get_schema_operation_parameters(self.view)}
