"""The OpenAPI schema documents every answer an operation really gives: the errors DRF answers from
a view's classes (apps/core/api/schema.py) beside those the view documents, all in one error shape."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
import yaml
from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
UNSAFE = {"post", "put", "patch", "delete"}


@cache
def served_schema() -> dict[str, Any]:
    return yaml.safe_load(APIClient().get("/api/schema/").content)


@pytest.fixture
def schema(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The schema /api/schema/ serves (generated once: it depends on the code, not on the data)."""
    return served_schema()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def bearer(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
    return client


def test_every_operation_documents_the_errors_its_classes_answer(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        where = (method, path)
        assert "406" in responses, where  # content negotiation, for everyone
        assert "429" in responses, where  # every view is throttled
        assert "Retry-After" in responses["429"]["headers"], where
        if {"jwtAuth": []} in operation.get("security", []):
            assert "401" in responses, where  # a bad bearer token, wherever it is sent
        if "requestBody" in operation:
            assert {"400", "415"} <= responses.keys(), where
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in responses, where
        if method in UNSAFE and {"cookieAuth": []} in operation.get("security", []):
            assert "403" in responses, where  # a session request without its CSRF token


def test_every_error_response_is_the_one_error_shape_in_json(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == ERROR, (method, path, status)
            elif "content" in response:
                assert list(response["content"]) == ["application/json"], (method, path, status)


def test_a_public_read_answers_a_bad_token_with_a_documented_401(schema):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = client.get("/api/v1/site/pages/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    documented = schema["paths"]["/api/v1/site/pages/"]["get"]["responses"]
    assert "401" in documented and "403" not in documented  # anyone may read; only a bad token is refused
    assert "WWW-Authenticate" in documented["401"]["headers"] and response["WWW-Authenticate"]


def test_a_body_in_a_content_type_the_operation_does_not_take_is_a_documented_415(schema, user_with_role):
    response = bearer(user_with_role("blog_admin")).post(
        "/api/v1/blog/categories/", "name=Trains", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "415" in schema["paths"]["/api/v1/blog/categories/"]["post"]["responses"]


def test_an_accept_header_the_api_cannot_answer_is_a_documented_406(schema):
    response = APIClient().get("/api/v1/site/theme/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_acceptable"
    assert "406" in schema["paths"]["/api/v1/site/theme/"]["get"]["responses"]


def test_the_staff_only_activity_log_documents_its_refusals_filters_and_pages(schema, member):
    documented = schema["paths"]["/api/v1/activity/"]["get"]["responses"]

    assert {"400", "401", "403", "404"} <= documented.keys()
    assert bearer(member).get("/api/v1/activity/").status_code == 403
    assert APIClient().get("/api/v1/activity/", {"actor": "x"}).status_code == 401


def test_every_path_answers_a_method_it_does_not_document_with_405_and_allow(schema, superuser):
    client = bearer(superuser)  # signed in with every role: the refusal is the method's, not the caller's
    for path, item in schema["paths"].items():
        url = re.sub(r"\{\w*uuid\}", "00000000-0000-4000-8000-000000000000", path)
        url = re.sub(r"\{(\w+_)?id\}|\{\w+_pk\}", "1", url).replace("{slug}", "some-post")
        for method in sorted((UNSAFE | {"get"}) - item.keys()):
            response = getattr(client, method)(url)

            assert response.status_code == 405, (method, path)
            assert response.json()["error"]["code"] == "method_not_allowed", (method, path)
            allowed = {m.strip().lower() for m in response["Allow"].split(",")} - {"head", "options"}
            assert allowed == set(item), (method, path)
