"""The session store: cached_db, with the insert as the only check that a new key is unused."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.accounts import sessions

pytestmark = pytest.mark.django_db


def test_a_new_session_costs_one_insert_and_no_look_up():
    store = sessions.SessionStore()
    store["cart"] = {"7": 1}
    with CaptureQueriesContext(connection) as captured:
        store.save()
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert "SELECT" not in statements and statements.count("INSERT") == 1
    assert sessions.SessionStore(session_key=store.session_key)["cart"] == {"7": 1}


def test_a_key_that_is_taken_is_not_overwritten_and_another_is_drawn(monkeypatch):
    taken = sessions.SessionStore()
    taken["who"] = "first"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))

    second = sessions.SessionStore()
    second["who"] = "second"
    second.save()

    assert second.session_key == "b" * 32
    assert Session.objects.get(session_key=taken.session_key).get_decoded() == {"who": "first"}
