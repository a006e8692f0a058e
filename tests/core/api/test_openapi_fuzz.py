"""Property-based tests of the API against its own OpenAPI schema (schemathesis over hypothesis).

Every operation the schema names gets generated requests, valid ones and invalid ones, each sent
anonymously and with a JWT of every role in the cast, in-process through Django's WSGI handler to
the real test database, cache and document store, with content seeded so that ids and slugs in
paths name real posts, drafts and pages. Every answer must be no 5xx and conform to the schema:
its status code documented, its content type documented, its body (and headers) matching.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.blog import services as blog_services
from apps.core.api.auth_views import issue_tokens
from apps.core.models import SitePage
from apps.core.platform import events
from apps.core.publishing import services as publishing
from tests.blog.factories import CategoryFactory, TagFactory, make_post, paragraph
from tests.core.comments.factories import CommentFactory
from tests.core.factories import DEFAULT_PASSWORD

# Per operation and generation mode (valid, invalid data); each example is sent once per identity
# in the cast (anonymous, a member and one user per role), so an operation costs 2 x 9 x this.
MAX_EXAMPLES = 6
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


OPERATIONS = [(path, method) for path, item in openapi_schema()["paths"].items() for method in item]


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


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rates far above what the run sends: throttling stays on (and 429 documented), but a run of
    hundreds of requests from one address does not turn into 429s."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min", "auth": "100000/min"}
    )


@pytest.fixture
def seeded(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Real content for paths to name: a live post with a comment, category and tag; a draft and a
    submitted post of the blog author; a live site page. On-commit work (events, the activity log)
    runs as it would after a real commit."""
    author, reviewer = cast["blog_author"], cast["blog_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        category, tag = CategoryFactory(name="Travel"), TagFactory(name="rail")
        live = make_post(author=author, live=True, publisher=reviewer, categories=[category], tags=[tag])
        CommentFactory(target=live, author=cast["member"])
        draft = make_post(author=author, body=[paragraph("Half done.")])
        submitted = make_post(author=author)
        blog_services.post_submit(post=submitted, author=author)
        page = publishing.draft_create(
            model=SitePage,
            content={"title": "About", "slug": "about", "body": [], "seo_description": ""},
            author=cast["admin"],
        )
        publishing.publish(obj=page, author=cast["admin"])
    events.deliver_pending()  # the activity log the staff API reads
    return {
        "ids": [live.pk, draft.pk, submitted.pk],
        "slugs": [live.slug, page.slug],
        "credentials": {"email": author.email, "password": DEFAULT_PASSWORD},
    }


def _known_values(operation: Any, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    """Path parameters naming seeded objects, for the operations that take them."""
    names = {parameter.name for parameter in operation.path_parameters}
    if "id" in names:
        return [{"id": pk} for pk in seeded["ids"]]
    if "slug" in names:
        return [{"slug": slug} for slug in seeded["slugs"]]
    return []


def _strategy(operation: Any, seeded: dict[str, Any]) -> st.SearchStrategy[Any]:
    strategies = []
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        for values in _known_values(operation, seeded):
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=values))
    if operation.path == "/api/v1/auth/token/":
        strategies.append(operation.as_strategy(body=seeded["credentials"], media_type="application/json"))
    return st.one_of(strategies)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_answer_of_the_api_conforms_to_its_schema_for_everyone(
    path: str, method: str, cast: dict[str, Any], seeded: dict[str, Any], unthrottled: None
) -> None:
    operation = api_schema()[path][method]
    app = InTestTransaction()
    headers_of = {
        who: {} if user is None else {"Authorization": f"Bearer {issue_tokens(user)['access']}"}
        for who, user in cast.items()
    }

    @settings(
        max_examples=MAX_EXAMPLES * 2,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, seeded))
    def answers_conform(case: schemathesis.Case) -> None:
        for who, headers in headers_of.items():
            response = case.call(app=app, headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as failure:
                failure.add_note(f"as {who}")
                raise

    answers_conform()
