"""With the cache unreachable, writes and sign-ins still succeed: throttles and rate limits allow
(counted and logged once in a while), the sign-in lockout counts in SQL and still refuses.

The cache is a Redis alias on a port nobody listens on, so these run on every backend.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.accounts import security
from apps.core.comments.models import Comment
from apps.core.models import SignInFailureCount, User
from apps.core.platform import degraded, pagecache, realtime
from apps.core.site import handlers
from apps.core.site.selectors import site_page_list_for_footer
from tests.blog.factories import PostFactory
from tests.core.accounts.helpers import register, sign_in, signed_in_id
from tests.core.comments.factories import CommentFactory
from tests.core.factories import DEFAULT_PASSWORD, UserFactory
from tests.utils import free_port

TOKEN = "/api/v1/auth/token/"
WORKING_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outage-tests"}


def _set_default_cache(settings: Any, config: dict[str, Any]) -> None:
    settings.CACHES = {**settings.CACHES, "default": config}


@pytest.fixture
def cache_down(settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The default cache (throttles, rate limits, lockout counts) on a closed port; sessions keep
    their own alias, as in production. ``.restore()`` ends the outage."""
    original = settings.CACHES["default"]
    _set_default_cache(
        settings,
        {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0"},
    )
    degraded.reset()
    settings.restore = lambda: _set_default_cache(settings, WORKING_CACHE)  # type: ignore[attr-defined]
    yield settings
    _set_default_cache(settings, original)
    degraded.reset()
    # Forget what this test taught the process about SQL counts (another test starts afresh).
    security._sql_counts_until = security._sql_counts_announced = 0.0


def api_sign_in(email: str, password: str = DEFAULT_PASSWORD) -> Any:
    return APIClient().post(TOKEN, {"email": email, "password": password})


# --- The degrade helper ---------------------------------------------------------------------


def test_an_outage_logs_one_warning_per_kind_per_interval_and_counts_every_event(settings, caplog):
    settings.DEGRADED_LOG_SECONDS = 60
    degraded.reset()
    with caplog.at_level(logging.WARNING, logger="apps.core.platform.degraded"):
        for _ in range(50):
            degraded.degraded("throttle", ConnectionError("refused"))
        degraded.degraded("rate_limit", ConnectionError("refused"))

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert "throttle" in lines[0] and "ConnectionError: refused" in lines[0]
    assert degraded.counts() == {"rate_limit": 1, "throttle": 50}
    degraded.reset()


def test_the_next_warning_after_the_interval_says_how_many_went_unlogged(settings, caplog):
    settings.DEGRADED_LOG_SECONDS = 1
    degraded.reset()
    with caplog.at_level(logging.WARNING, logger="apps.core.platform.degraded"):
        for _ in range(3):
            degraded.degraded("throttle", ConnectionError("refused"))
        degraded._last_logged["throttle"] -= 2  # the interval has passed
        degraded.degraded("throttle", ConnectionError("refused"))

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and "(and 2 more since the last warning)" in lines[1], lines
    degraded.reset()


# --- Throttles and rate limits allow ----------------------------------------------------------


def test_api_reads_and_writes_answer_while_the_throttles_cache_is_down(cache_down, member):
    client = APIClient()
    client.force_authenticate(member)

    assert APIClient().get("/api/v1/site/pages/").status_code == 200  # anonymous: AnonRateThrottle
    assert client.get("/api/v1/me/").status_code == 200  # UserRateThrottle
    assert client.post("/api/v1/notifications/read-all/").status_code in (200, 204)

    assert degraded.counts()["throttle"] >= 3


def test_a_token_is_issued_and_refreshed_while_the_cache_is_down(cache_down, member):
    response = api_sign_in(member.email)

    assert response.status_code == 200, response.content
    refreshed = APIClient().post(TOKEN + "refresh/", {"refresh": response.json()["refresh"]})
    assert refreshed.status_code == 200, refreshed.content
    assert degraded.counts()["throttle"] >= 2 and degraded.counts()["lockout"] >= 1


def test_a_comment_is_posted_while_the_rate_limits_cache_is_down(cache_down, client_for, user_with_role):
    post = PostFactory(live=True)
    regular = user_with_role(None)
    CommentFactory(target=post, author=regular)
    address = reverse("comments:create", args=["blog.post", post.pk])

    response = client_for(regular).post(address, {"body": "Still writing"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 201
    assert Comment.objects.filter(target_id=post.pk, body="Still writing").count() == 1
    assert degraded.counts()["rate_limit"] == 1


def test_the_rate_limit_allows_while_the_cache_is_down(cache_down):
    hits = [security.rate_limited(scope="test", key="k", limit=1, window=60) for _ in range(5)]

    assert hits == [False] * 5
    assert degraded.counts() == {"rate_limit": 5}


def test_a_visitor_registers_while_the_cache_is_down(cache_down, client, db, mailoutbox):
    response = register(client, "nina@example.com")

    assert response.status_code == 302, response.content
    assert User.objects.filter(email="nina@example.com").exists()
    assert degraded.counts()["rate_limit"] == 1


def test_site_cache_drops_and_reads_go_on_without_the_cache(cache_down, db):
    # After commit, a drop that raised would turn the acknowledged write into a 500.
    handlers.forget_cached_site_content(type("Published", (), {"model": "core.sitepage"})())  # type: ignore[arg-type]
    pagecache.invalidate("blog")

    assert site_page_list_for_footer() == []
    counts = degraded.counts()
    assert counts["site_cache_invalidate"] == 1 and counts["page_cache_invalidate"] == 1
    assert counts["site_cache"] == 1


def test_a_notification_push_with_the_channel_layer_down_is_skipped_after_commit(
    db, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    degraded.reset()

    with django_capture_on_commit_callbacks(execute=True):
        realtime.notify_user(1, kind="unread", data={"unread": 1})

    assert degraded.counts() == {"broadcast": 1}
    degraded.reset()


def test_readyz_shows_the_degraded_counts(cache_down, client, db):
    security.rate_limited(scope="test", key="k", limit=1, window=60)

    body = client.get("/readyz").json()

    assert body["parts"]["cache"]["status"] == "down"
    assert body["degraded"] == {"rate_limit": 1}


# --- The lockout falls back to SQL --------------------------------------------------------------


def test_a_wrong_password_burst_while_the_cache_is_down_still_locks_the_pair(cache_down, member):
    for _ in range(cache_down.LOGIN_LOCKOUT_PAIR_LIMIT):
        assert api_sign_in(member.email, "wrong").status_code == 401

    response = api_sign_in(member.email)  # even the right password

    assert response.status_code == 429 and response.json()["error"]["code"] == "locked_out", response.content
    pair = SignInFailureCount.objects.get(kind="pair")
    assert (pair.email, pair.failures) == (member.email, cache_down.LOGIN_LOCKOUT_PAIR_LIMIT)
    assert {entry.kind for entry in security.lockouts_list()} == {"pair"}


def test_the_page_sign_in_is_locked_out_the_same_way(cache_down, client, member):
    for _ in range(cache_down.LOGIN_LOCKOUT_PAIR_LIMIT):
        assert sign_in(client, member.email, "wrong").status_code == 200

    response = sign_in(client, member.email)

    assert response.status_code == 429 and signed_in_id(client) is None


def test_a_success_while_the_cache_is_down_clears_the_accounts_sql_counts(cache_down, client, member):
    for _ in range(cache_down.LOGIN_LOCKOUT_PAIR_LIMIT - 1):
        sign_in(client, member.email, "wrong")

    assert sign_in(client, member.email).status_code == 302 and signed_in_id(client) == str(member.pk)
    assert not SignInFailureCount.objects.filter(kind__in=["account", "pair"]).exists()
    assert SignInFailureCount.objects.filter(kind="address").exists()  # the address's count stays


def test_a_lock_counted_during_the_outage_holds_after_it_in_every_process(cache_down, member):
    for _ in range(cache_down.LOGIN_LOCKOUT_PAIR_LIMIT):
        api_sign_in(member.email, "wrong")
    cache_down.restore()

    assert api_sign_in(member.email).status_code == 429  # this process counted in SQL: it looks there
    # Another process never saw the outage: the mark the first lookup left in the cache sends it to SQL.
    security._sql_counts_until = security._sql_counts_announced = 0.0
    assert api_sign_in(member.email).status_code == 429
    assert api_sign_in(UserFactory().email).status_code == 200  # others are not locked


def test_with_the_cache_up_sign_ins_never_touch_the_sql_counts(db, member):
    security._sql_counts_until = 0.0
    api_sign_in(member.email, "wrong")

    assert not SignInFailureCount.objects.exists()
