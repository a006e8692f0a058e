"""Beat's expiry sweeps: expired sessions and API refresh tokens go, live ones stay, and two
sweeps at once remove each row once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.accounts import tasks
from tests.utils import race


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["who"] = "someone"
    store.set_expiry(expires_in)
    store.create()
    return store.session_key


def test_the_session_sweep_removes_expired_sessions_only(db):
    session(timedelta(seconds=-1))
    live = session(timedelta(days=1))

    assert tasks.clear_expired_sessions() == 1
    assert tasks.clear_expired_sessions() == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


def test_the_token_sweep_removes_expired_refresh_tokens_and_their_blacklist_entries(member, settings, time_machine):
    time_machine.move_to(timezone.now())
    old = RefreshToken.for_user(member)
    old.blacklist()
    time_machine.shift(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(minutes=1))
    fresh = RefreshToken.for_user(member)

    assert tasks.flush_expired_tokens() == 1
    assert tasks.flush_expired_tokens() == 0
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [fresh["jti"]]
    assert not BlacklistedToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remove_each_expired_row_once(member):
    for _ in range(5):
        session(timedelta(seconds=-1))
    expired = RefreshToken.for_user(member)
    OutstandingToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    sessions = race(lambda _: tasks.clear_expired_sessions(), times=2)
    tokens = race(lambda _: tasks.flush_expired_tokens(), times=2)

    assert sorted(sessions) == [0, 5] and sorted(tokens) == [0, 1]  # type: ignore[type-var]
