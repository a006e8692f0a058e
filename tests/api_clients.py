"""What every API test uses: a client that sends a person's JWT, and the check that an error
came back in the API's one shape (apps/core/api/errors.py). The ``api_as`` fixture in
tests/conftest.py hands out ``jwt_client``; each app's API tests import ``error_of`` from here."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens


def jwt_client(user: Any) -> APIClient:
    """An API client sending a fresh JWT access token of ``user`` (anonymous for None), as an app
    would after signing in."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user)['access']}")
    return client


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The response's error, after checking it is in the API's one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["status"] == status
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]
