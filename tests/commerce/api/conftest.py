"""The shop API's tests: a client per person of the cast (``people`` in tests/commerce/conftest.py)."""

from __future__ import annotations

from tests.api_clients import error_of  # noqa: F401  (its tests import it from here)

API = "/api/v1/shop/"
