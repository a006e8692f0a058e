"""Serializer fields for numbers clients send, bounded to what the database stores.

A number past a column's range never reaches a query: SQLite raises OverflowError and
PostgreSQL DataError for it (a 500), and a related-field lookup has no guard of Django's own.
Input serializers use these instead of DRF's unbounded IntegerField (a ListField of ids takes an
IdField child); tests/core/api/test_api_input.py checks that every ``…Input`` serializer's integer
and primary-key fields are bounded.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework import serializers

_RANGES = BaseDatabaseOperations.integer_field_ranges
# Ids are BigAutoField (DEFAULT_AUTO_FIELD), and only positive ones are ever made.
ID_MAX = _RANGES["BigAutoField"][1]
INT_MIN, INT_MAX = _RANGES["IntegerField"]


class IdField(serializers.IntegerField):
    """A row's id: 1 to 2**63 - 1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class BoundedIntegerField(serializers.IntegerField):
    """A plain integer within IntegerField's range (32 bits), or narrower bounds of its own."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["min_value"] = max(INT_MIN, kwargs.get("min_value", INT_MIN))
        kwargs["max_value"] = min(INT_MAX, kwargs.get("max_value", INT_MAX))
        super().__init__(**kwargs)
