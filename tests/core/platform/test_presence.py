"""Core's presence service (apps/core/platform/presence.py) on the configured store: Redis with
REDIS_URL, the local-memory cache without. Clocks are the tests' own, so heartbeats that stop and
connections that age out take no waiting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory

from apps.core.platform import presence
from apps.core.platform.hooks import AppHook, InstalledHook, Registry
from apps.core.platform.presence import CONNECTION_TTL, PresenceService, default_store
from tests.core.factories import UserFactory


@pytest.fixture(autouse=True)
def _presence_forgotten() -> None:
    # The embedded default's store is presence's own local-memory cache, which the suite's clean
    # slate (the configured caches) does not empty; with Redis the flush does.
    presence.reset_local()


START = 1_800_000_000.0


class Clock:
    """A process's clock, moved by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(clock: Clock) -> PresenceService:
    return PresenceService(default_store(), clock=clock, broadcast=False)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


# --- connections, states, last seen ------------------------------------------------------------


def test_someone_never_seen_is_offline_with_no_last_seen(service):
    assert service.raw_statuses([7]) == {7: presence.Status("offline", None)}


def test_one_open_tab_makes_one_online(service):
    status = service.heartbeat(7, "tab-1")

    assert status.state == "online"
    assert service.raw_statuses([7])[7].state == "online"


def test_closing_one_of_two_tabs_keeps_one_online(service, clock):
    service.heartbeat(7, "tab-1")
    service.heartbeat(7, "tab-2")
    clock.advance(5)

    assert service.disconnect(7, "tab-1").state == "online"
    assert service.raw_statuses([7])[7].state == "online"


def test_closing_the_last_tab_makes_one_offline_last_seen_then(service, clock):
    service.heartbeat(7, "tab-1")
    service.heartbeat(7, "tab-2")
    service.disconnect(7, "tab-1")
    clock.advance(30)

    status = service.disconnect(7, "tab-2")

    assert status == presence.Status("offline", at(START + 30))
    assert service.raw_statuses([7])[7] == presence.Status("offline", at(START + 30))


def test_one_is_away_only_when_every_open_tab_is_away(service):
    service.heartbeat(7, "tab-1", away=True)
    service.heartbeat(7, "tab-2", away=False)
    assert service.raw_statuses([7])[7].state == "online"

    service.heartbeat(7, "tab-2", away=True)
    assert service.raw_statuses([7])[7].state == "away"

    service.heartbeat(7, "tab-1", away=False)
    assert service.raw_statuses([7])[7].state == "online"


def test_an_away_tab_that_closes_leaves_the_active_one_online(service):
    service.heartbeat(7, "tab-1", away=True)
    service.heartbeat(7, "tab-2")

    service.disconnect(7, "tab-2")

    assert service.raw_statuses([7])[7].state == "away"


def test_when_heartbeats_stop_one_goes_offline_last_seen_at_the_last_heartbeat(service, clock):
    service.heartbeat(7, "tab-1")
    clock.advance(20)
    service.heartbeat(7, "tab-1")
    clock.advance(CONNECTION_TTL - 1)
    assert service.raw_statuses([7])[7].state == "online"

    clock.advance(2)

    assert service.raw_statuses([7])[7] == presence.Status("offline", at(START + 20))


def test_a_tab_that_keeps_beating_stays_online_long_past_the_ttl(service, clock):
    for _ in range(10):
        service.heartbeat(7, "tab-1")
        clock.advance(25)

    assert service.raw_statuses([7])[7].state == "online"


def test_a_dead_tab_does_not_count_once_another_tab_opens(service, clock):
    service.heartbeat(7, "crashed-tab", away=False)
    clock.advance(CONNECTION_TTL + 1)
    service.heartbeat(7, "new-tab", away=True)

    # The dead tab was active; had it still counted, one would be online.
    assert service.raw_statuses([7])[7].state == "away"


def test_two_processes_with_their_own_clocks_agree(clock):
    # Two server processes share the store; their clocks differ by a few seconds (NTP-close).
    other = Clock(START + 3)
    first = PresenceService(default_store(), clock=clock, broadcast=False)
    second = PresenceService(default_store(), clock=other, broadcast=False)
    first.heartbeat(7, "process-1.tab")
    second.heartbeat(7, "process-2.tab")

    assert first.raw_statuses([7]) == second.raw_statuses([7])
    assert first.raw_statuses([7])[7].state == "online"

    # The first process crashes: its tab's heartbeats stop and nobody says goodbye for it.
    for _ in range(4):
        clock.advance(25)
        other.advance(25)
        second.heartbeat(7, "process-2.tab", away=True)
    # Its dead tab was active; only the second process's (away) tab counts now, for both.
    assert first.raw_statuses([7])[7].state == "away"
    assert second.raw_statuses([7])[7].state == "away"

    second.disconnect(7, "process-2.tab")

    assert first.raw_statuses([7])[7].state == second.raw_statuses([7])[7].state == "offline"


def test_people_are_kept_apart(service):
    service.heartbeat(7, "tab-1")

    assert service.raw_statuses([7, 8]) == {
        7: presence.Status("online", at(START)),
        8: presence.Status("offline", None),
    }


def test_online_ids_names_who_is_online_or_away(service):
    service.heartbeat(7, "tab-1")
    service.heartbeat(8, "tab-2", away=True)

    assert service.online_ids([7, 8, 9]) == {7, 8}


# --- one round trip for a list -------------------------------------------------------------


@pytest.mark.skipif(not settings.REDIS_URL, reason="counts Redis round trips: needs REDIS_URL")
def test_a_batch_of_statuses_is_one_redis_round_trip(service, monkeypatch):
    import redis.connection

    for user_id in range(1, 30):
        service.heartbeat(user_id, f"tab-{user_id}", away=user_id % 2 == 0)
    sent: list[int] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):  # type: ignore[no-untyped-def]
        sent.append(1)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)

    found = service.raw_statuses(range(1, 50))

    assert len(sent) == 1
    assert sum(status.state == "online" for status in found.values()) == 15
    assert sum(status.state == "away" for status in found.values()) == 14


# --- who may see whom ---------------------------------------------------------------------


@pytest.fixture
def policies(monkeypatch):  # type: ignore[no-untyped-def]
    """Install hooks with these presence policies in place of the project's."""

    def install(*callables):  # type: ignore[no-untyped-def]
        hooks = tuple(InstalledHook(f"app{n}", AppHook(presence_policy=p)) for n, p in enumerate(callables))
        monkeypatch.setattr("apps.core.platform.hooks.registry", lambda: Registry(hooks))

    return install


def test_anonymous_viewers_see_nobodys_presence(service, member):
    from django.contrib.auth.models import AnonymousUser

    service.heartbeat(member.pk, "tab-1")

    assert service.statuses(AnonymousUser(), [member]) == {}
    assert service.statuses(None, [member]) == {}


def test_by_default_signed_in_viewers_see_everyones_presence(service, member, stranger, policies):
    policies()
    service.heartbeat(member.pk, "tab-1")

    assert service.statuses(stranger, [member, stranger]) == {
        member.pk: presence.Status("online", at(START)),
        stranger.pk: presence.Status("offline", None),
    }


def test_an_apps_policy_narrows_who_sees_whom_and_every_policy_applies(service, member, stranger, policies, db):
    third = UserFactory()
    policies(lambda viewer, ids: ids - {member.pk}, lambda viewer, ids: ids - {third.pk})

    assert set(service.statuses(stranger, [member, third, stranger])) == {stranger.pk}


def test_one_always_sees_ones_own_presence(service, member, policies):
    policies(lambda viewer, ids: set())

    assert set(service.statuses(member, [member])) == {member.pk}


def test_a_policy_is_asked_once_for_a_whole_list(service, member, policies, db):
    asked: list[frozenset[int]] = []
    policies(lambda viewer, ids: asked.append(ids) or ids)
    people = UserFactory.create_batch(5)

    service.statuses(member, people)

    assert asked == [frozenset(p.pk for p in people)]


# --- broadcasts ---------------------------------------------------------------------------------


def test_a_change_of_state_is_broadcast_to_the_persons_group_and_a_mere_heartbeat_is_not(clock):
    service = PresenceService(default_store(), clock=clock)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(presence.presence_group(7), channel)

    service.heartbeat(7, "tab-1")
    service.heartbeat(7, "tab-1")
    service.heartbeat(7, "tab-1", away=True)

    async def two_messages() -> list[dict]:
        # One event loop for both: channels_redis ties a receive's buffer to its loop.
        return [await layer.receive(channel), await layer.receive(channel)]

    first, second = async_to_sync(two_messages)()
    assert first == {
        "type": "presence.changed",
        "user_id": 7,
        "status": {"state": "online", "last_seen": at(START).isoformat()},
    }
    assert second["status"]["state"] == "away"
    async_to_sync(layer.group_discard)(presence.presence_group(7), channel)


# --- the badge ----------------------------------------------------------------------------------


def render(template: str, viewer, **context) -> str:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = viewer
    return Template("{% load presence %}" + template).render(Context({"request": request, **context}))


def test_the_badge_shows_online_to_a_viewer_who_may_see_it(member, stranger, policies):
    policies()
    presence.service().heartbeat(member.pk, "tab-1")

    html = render("{% presence_badge person %}", stranger, person=member)

    assert f'data-presence="{member.pk}"' in html
    assert 'data-presence-state="online"' in html and "Online" in html


def test_the_badge_shows_offline_with_last_seen(member, stranger, policies):
    policies()
    presence.service().heartbeat(member.pk, "tab-1")
    presence.service().disconnect(member.pk, "tab-1")

    html = render("{% presence_badge person %}", stranger, person=member)

    assert 'data-presence-state="offline"' in html
    assert "last seen <time datetime=" in html


def test_the_badge_renders_nothing_where_the_policy_hides_it(member, stranger, policies):
    policies(lambda viewer, ids: set())
    presence.service().heartbeat(member.pk, "tab-1")

    assert render("{% presence_badge person %}", stranger, person=member).strip() == ""


def test_a_list_of_badges_costs_one_lookup(member, policies, django_assert_max_num_queries, db):
    policies()
    people = UserFactory.create_batch(12)
    for person in people[:4]:
        presence.service().heartbeat(person.pk, f"tab-{person.pk}")
    template = (
        "{% presence_statuses people as found %}{% for p in people %}{% presence_badge p statuses=found %}{% endfor %}"
    )

    with django_assert_max_num_queries(0):
        html = render(template, member, people=people)

    assert html.count('data-presence-state="online"') == 4
    assert html.count('data-presence-state="offline"') == 8


# --- the heartbeat script ----------------------------------------------------------------------


def test_pages_include_the_heartbeat_script_for_signed_in_people_only(client, member):
    assert "js/presence.js" not in client.get("/").content.decode()

    client.force_login(member)

    assert "js/presence.js" in client.get("/").content.decode()


# --- the store down -----------------------------------------------------------------------------


def test_with_the_store_unreachable_presence_is_unknown_and_nothing_fails(clock, member, stranger):
    import redis

    from apps.core.platform import degraded
    from apps.core.platform.presence import RedisStore

    degraded.reset()
    nowhere = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    service = PresenceService(RedisStore(nowhere, "test"), clock=clock)

    assert service.heartbeat(member.pk, "tab-1").state == "offline"
    assert service.disconnect(member.pk, "tab-1").state == "offline"
    assert service.statuses(stranger, [member]) == {}
    assert degraded.counts()["presence"] == 3


# --- places: a stream's viewers -------------------------------------------------------------------


def test_a_place_counts_its_live_connections_and_forgets_those_that_leave_or_age_out(service, clock):
    service.place_heartbeat("stream.1", "tab-1")
    service.place_heartbeat("stream.1", "tab-2")
    service.place_heartbeat("stream.2", "tab-3")
    assert service.place_counts(["stream.1", "stream.2", "stream.3"]) == {"stream.1": 2, "stream.2": 1, "stream.3": 0}

    service.place_leave("stream.1", "tab-1")
    clock.advance(30)
    service.place_heartbeat("stream.1", "tab-2")
    clock.advance(CONNECTION_TTL - 10)

    # tab-3's process crashed 80 s ago, without a goodbye; tab-2 beat 50 s ago.
    assert service.place_counts(["stream.1", "stream.2"]) == {"stream.1": 1, "stream.2": 0}


def test_two_processes_count_one_place_together(clock):
    first = PresenceService(default_store(), clock=clock, broadcast=False)
    second = PresenceService(default_store(), clock=Clock(START - 2), broadcast=False)
    first.place_heartbeat("stream.1", "process-1.tab")
    second.place_heartbeat("stream.1", "process-2.tab")

    assert first.place_counts(["stream.1"]) == second.place_counts(["stream.1"]) == {"stream.1": 2}


def test_a_busy_cache_does_not_push_people_out_of_presence(service):
    from django.core.cache import cache

    for user_id in range(1, 401):
        service.heartbeat(user_id, f"tab-{user_id}")
    for n in range(400):  # pages and reads filling the default cache past its 300 entries
        cache.set(f"page-{n}", "x")

    assert service.online_ids(range(1, 401)) == set(range(1, 401))
