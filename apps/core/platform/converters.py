"""``<id:pk>``: the path converter of every URL that takes a row's id.

Django's ``<int:...>`` matches any run of digits, and an id past 64 bits then fails in the query
(OverflowError on SQLite, DataError on PostgreSQL: a 500). ``id`` matches 1 to 2**63 - 1 only,
written without leading zeros, so anything else is simply no such address (404). Registered
once, by CoreConfig.ready(), before any urlconf is loaded: urls.py files just use it.
"""

from __future__ import annotations

from django.urls import register_converter

from apps.core.api.fields import ID_MAX


class IdConverter:
    # 0 reverses (templates build an address for scripts to fill in with `{% url … 0 %}`) but
    # never resolves.
    regex = "0|[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(f"{value} is no id")  # Django reads this as no match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
