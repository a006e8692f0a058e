"""The social API's tests: API clients with a JWT per person, the error shape, and a small cast
of people on the social network (each with a profile and handle)."""

from __future__ import annotations

import pytest

from apps.social.services import messages as message_services
from tests.api_clients import error_of  # noqa: F401  (its tests import it from here)
from tests.social.factories import person

API = "/api/v1/social/"


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
