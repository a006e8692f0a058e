"""What the schemathesis runs over the API share (tests/core/api/test_openapi_fuzz.py and each
domain's own run): the schema as /api/schema/ serves it, the checks, the in-transaction WSGI app,
the strategy of an operation with seeded path parameters, and the run that sends each generated
request as every identity of a cast."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.core.api.auth_views import issue_tokens

# Per operation and generation mode (valid, invalid data); each example is sent once per identity
# in the cast, so an operation costs 2 x identities x this. Four keeps the three runs (about 300
# operations by now) inside CI's half hour; derandomized, they are the same examples each run.
MAX_EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@cache
def openapi_schema() -> dict[str, Any]:
    """The schema /api/schema/ serves, as JSON (generated without a request: the same document)."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


@cache
def api_schema() -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_dict(openapi_schema())


def operations(prefix: str = "/api/") -> list[tuple[str, str]]:
    """Every (path, method) of the schema under ``prefix``."""
    return [
        (path, method) for path, item in openapi_schema()["paths"].items() if path.startswith(prefix) for method in item
    ]


class InTestTransaction:
    """Django's WSGI handler, minus closing the database connection at the end of each request
    (as Django's own test client does), so requests run inside the test's transaction."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def strategy(operation: Any, known: Iterable[dict[str, Any]], *extra: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid and invalid requests of ``operation``: with generated path parameters and with each
    of ``known`` (path parameters naming seeded things), and any ``extra`` strategies."""
    known = list(known)
    strategies = list(extra)
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        for values in known:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=values))
    return st.one_of(strategies)


def assert_conforms(operation: Any, cases: st.SearchStrategy[Any], users: dict[str, Any]) -> None:
    """Send each generated request as every one of ``users`` (None: anonymous, else a fresh JWT)
    in-process: no answer may be a 5xx or stray from the schema."""
    app = InTestTransaction()
    headers_of = {
        who: {} if user is None else {"Authorization": f"Bearer {issue_tokens(user)['access']}"}
        for who, user in users.items()
    }

    @settings(
        max_examples=MAX_EXAMPLES * 2,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def answers_conform(case: schemathesis.Case) -> None:
        for who, headers in headers_of.items():
            response = case.call(app=app, headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as failure:
                failure.add_note(f"as {who}")
                raise

    answers_conform()
