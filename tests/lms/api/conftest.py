"""The LMS API's tests: a client per person of the cast (``people`` in tests/lms/conftest.py)."""

from __future__ import annotations

from typing import Any

from tests.api_clients import error_of  # noqa: F401  (its tests import it from here)

API = "/api/v1/lms/"


def matrix(api_as: Any, people: dict[str, Any], method: str, url: str, data: Any = None) -> dict[str, int]:
    """Who gets which status for one call (each with a fresh client)."""

    def call(user: Any) -> int:
        client = api_as(user)
        if method == "get":
            return client.get(url, data).status_code
        return getattr(client, method)(url, data, format="json").status_code

    return {who: call(user) for who, user in people.items()}
