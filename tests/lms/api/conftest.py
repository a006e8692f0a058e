"""The LMS API's tests: a client per person of the cast (``people`` in tests/lms/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens

API = "/api/v1/lms/"


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client sending a fresh JWT of ``user`` (anonymous for None)."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
        return client

    return make


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The response's error, after checking it is in the API's one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"] and body["error"]["status"] == status
    return body["error"]


def matrix(api_as: Any, people: dict[str, Any], method: str, url: str, data: Any = None) -> dict[str, int]:
    """Who gets which status for one call (each with a fresh client)."""

    def call(user: Any) -> int:
        client = api_as(user)
        if method == "get":
            return client.get(url, data).status_code
        return getattr(client, method)(url, data, format="json").status_code

    return {who: call(user) for who, user in people.items()}
