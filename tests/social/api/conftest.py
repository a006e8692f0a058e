"""The social API's tests: API clients with a JWT per person, the error shape, and a small cast
of people on the social network (each with a profile and handle)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens
from apps.social.services import messages as message_services
from tests.social.factories import person

API = "/api/v1/social/"


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


@pytest.fixture
def ana(db):
    return person("ana", display_name="Ana")


@pytest.fixture
def ben(db):
    return person("ben", display_name="Ben")


@pytest.fixture
def cat(db):
    return person("cat", display_name="Cat")


@pytest.fixture
def roomy_send_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Long threads send more than a minute's allowance; the limit has its own test.
    monkeypatch.setattr(message_services, "SEND_LIMIT", 1000)
