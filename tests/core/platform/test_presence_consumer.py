"""The presence socket (ws/presence/, apps/core/platform/presence_consumer.py) through the project's
ASGI application: the real session, channel layer and presence store."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from apps.core.platform import presence, realtime
from apps.core.platform.hooks import AppHook, InstalledHook, Registry
from apps.core.platform.presence import CONNECTION_TTL, PresenceService, default_store
from config.asgi import application


@pytest.fixture(autouse=True)
def _presence_forgotten() -> None:
    # The embedded default's store is presence's own local-memory cache, which the suite's clean
    # slate (the configured caches) does not empty; with Redis the flush does.
    presence.reset_local()


pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"localhost"), (b"origin", b"http://localhost")]


async def open_socket(user=None) -> tuple[WebsocketCommunicator, bool, int | None]:  # type: ignore[no-untyped-def]
    headers = list(HEADERS)
    if user is not None:
        client = Client()
        await sync_to_async(client.force_login)(user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, "/ws/presence/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def state_of(user) -> str:  # type: ignore[no-untyped-def]
    found = await sync_to_async(presence.service().raw_statuses)([user.pk])
    return found[user.pk].state


async def settle() -> None:
    # The consumer records a heartbeat in a worker thread after accepting; give it a moment.
    await asyncio.sleep(0.2)


@pytest.fixture
def policies(monkeypatch):  # type: ignore[no-untyped-def]
    def install(*callables):  # type: ignore[no-untyped-def]
        hooks = tuple(InstalledHook(f"app{n}", AppHook(presence_policy=p)) for n, p in enumerate(callables))
        monkeypatch.setattr("apps.core.platform.hooks.registry", lambda: Registry(hooks))

    return install


async def test_an_anonymous_socket_is_refused_with_4401():
    communicator, connected, code = await open_socket()

    assert not connected
    assert code == realtime.CLOSE_UNAUTHENTICATED


async def test_a_signed_in_socket_makes_one_online_and_closing_it_offline(member):
    communicator, connected, _ = await open_socket(member)
    assert connected
    await settle()
    assert await state_of(member) == "online"

    await communicator.disconnect()

    assert await state_of(member) == "offline"


async def test_closing_one_of_two_tabs_keeps_one_online(member):
    first, _, _ = await open_socket(member)
    second, _, _ = await open_socket(member)
    await settle()

    await first.disconnect()
    assert await state_of(member) == "online"

    await second.disconnect()
    assert await state_of(member) == "offline"


async def test_a_heartbeat_says_away_and_then_back(member):
    first, _, _ = await open_socket(member)
    second, _, _ = await open_socket(member)
    await settle()

    await first.send_json_to({"type": "heartbeat", "away": True})
    await second.send_json_to({"type": "heartbeat", "away": True})
    await settle()
    assert await state_of(member) == "away"

    await second.send_json_to({"type": "heartbeat", "away": False})
    await settle()
    assert await state_of(member) == "online"
    await first.disconnect()
    await second.disconnect()


async def test_a_watch_answers_with_the_permitted_statuses_only(member, stranger, staff, policies):
    policies(lambda viewer, ids: ids - {staff.pk})
    subject, _, _ = await open_socket(stranger)
    watcher, _, _ = await open_socket(member)
    await settle()

    await watcher.send_json_to({"type": "watch", "ids": [stranger.pk, staff.pk, "x", -1]})
    answer = await watcher.receive_json_from(timeout=3)

    assert answer["type"] == "presence"
    assert set(answer["statuses"]) == {str(stranger.pk)}
    assert answer["statuses"][str(stranger.pk)]["state"] == "online"
    await subject.disconnect()
    await watcher.disconnect()


async def test_a_watcher_hears_the_changes_of_people_it_may_see_and_no_others(member, stranger, staff, policies):
    policies(lambda viewer, ids: ids - {staff.pk})
    watcher, _, _ = await open_socket(member)
    await watcher.send_json_to({"type": "watch", "ids": [stranger.pk, staff.pk]})
    first = await watcher.receive_json_from(timeout=3)
    assert first["statuses"] == {str(stranger.pk): {"state": "offline", "last_seen": None}}

    hidden, _, _ = await open_socket(staff)
    subject, _, _ = await open_socket(stranger)
    online = await watcher.receive_json_from(timeout=3)
    assert online["statuses"][str(stranger.pk)]["state"] == "online"

    await subject.send_json_to({"type": "heartbeat", "away": True})
    away = await watcher.receive_json_from(timeout=3)
    assert away["statuses"][str(stranger.pk)]["state"] == "away"

    await subject.disconnect()
    offline = await watcher.receive_json_from(timeout=3)
    assert offline["statuses"][str(stranger.pk)]["state"] == "offline"
    assert offline["statuses"][str(stranger.pk)]["last_seen"] is not None
    await hidden.disconnect()
    # The hidden person's comings and goings reached the watcher not once.
    assert await watcher.receive_nothing(timeout=0.3)
    await watcher.disconnect()


async def test_a_new_watch_list_replaces_the_old_one(member, stranger, staff):
    watcher, _, _ = await open_socket(member)
    await watcher.send_json_to({"type": "watch", "ids": [stranger.pk]})
    await watcher.receive_json_from(timeout=3)
    await watcher.send_json_to({"type": "watch", "ids": [staff.pk]})
    await watcher.receive_json_from(timeout=3)

    subject, _, _ = await open_socket(stranger)

    assert await watcher.receive_nothing(timeout=0.3)
    await subject.disconnect()
    await watcher.disconnect()


async def test_an_anonymous_policy_refusal_means_nothing_is_sent(member, stranger, policies):
    policies(lambda viewer, ids: set())
    watcher, _, _ = await open_socket(member)

    await watcher.send_json_to({"type": "watch", "ids": [stranger.pk]})

    assert await watcher.receive_json_from(timeout=3) == {"type": "presence", "statuses": {}}
    subject, _, _ = await open_socket(stranger)
    assert await watcher.receive_nothing(timeout=0.3)
    await subject.disconnect()
    await watcher.disconnect()


async def test_the_poll_finds_connections_that_aged_out_without_a_goodbye(member, stranger, settings):
    settings.PRESENCE_WATCH_POLL_SECONDS = 0.3
    # A tab on a process that crashed: its last heartbeat was almost a TTL ago, and none follows.
    crashed = PresenceService(default_store(), clock=lambda: time.time() - CONNECTION_TTL + 0.5, broadcast=False)
    await sync_to_async(crashed.heartbeat)(stranger.pk, "dead-process.tab")
    watcher, _, _ = await open_socket(member)
    await watcher.send_json_to({"type": "watch", "ids": [stranger.pk]})
    assert (await watcher.receive_json_from(timeout=3))["statuses"][str(stranger.pk)]["state"] == "online"

    gone = await watcher.receive_json_from(timeout=3)

    assert gone["statuses"][str(stranger.pk)]["state"] == "offline"
    await watcher.disconnect()


async def test_the_poll_drops_someone_whose_policy_now_hides_them(member, stranger, settings, policies):
    settings.PRESENCE_WATCH_POLL_SECONDS = 0.3
    hidden: set[int] = set()
    policies(lambda viewer, ids: ids - hidden)
    watcher, _, _ = await open_socket(member)
    await watcher.send_json_to({"type": "watch", "ids": [stranger.pk]})
    await watcher.receive_json_from(timeout=3)

    hidden.add(stranger.pk)  # the stranger now shows their status to nobody
    await asyncio.sleep(0.6)
    subject, _, _ = await open_socket(stranger)

    assert await watcher.receive_nothing(timeout=0.3)
    await subject.disconnect()
    await watcher.disconnect()


async def test_bad_messages_are_ignored(member):
    socket, _, _ = await open_socket(member)

    await socket.send_json_to(["not", "a", "dict"])
    await socket.send_json_to({"type": "watch", "ids": "1,2"})
    await socket.send_json_to({"type": "unknown"})

    assert await socket.receive_json_from(timeout=3) == {"type": "presence", "statuses": {}}
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


# --- two real server processes on Redis ----------------------------------------------------------


@pytest.fixture
def two_servers(transactional_db, django_db_blocker):  # type: ignore[no-untyped-def]
    """Two daphne processes forked from this one (as the browser tests fork theirs), sharing the
    test database, Redis's presence store and Redis's channel layer; their base ports."""
    from daphne.testing import DaphneProcess

    from tests.browser.conftest import _application, _forget_inherited_connections

    processes = []
    try:
        for _ in range(2):
            with django_db_blocker.unblock():
                process = DaphneProcess(
                    host="127.0.0.1", get_application=_application, setup=_forget_inherited_connections
                )
                process.daemon = True
                process.start()
            processes.append(process)
        for process in processes:
            assert process.ready.wait(20), "daphne did not start"
        yield [process.port.value for process in processes]
    finally:
        for process in processes:
            process.terminate()
            process.join(10)


def _cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _tab(port: int, cookie: str):  # type: ignore[no-untyped-def]
    from websockets.sync.client import connect

    return connect(
        f"ws://127.0.0.1:{port}/ws/presence/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    )


def _next_state(socket, user_id: int) -> str:  # type: ignore[no-untyped-def]
    while True:
        # Generous: a freshly forked server's first socket (sessions, policy queries) shares the
        # machine with another xdist worker; the test is about what arrives, not how fast.
        message = json.loads(socket.recv(timeout=20))
        if str(user_id) in message.get("statuses", {}):
            return message["statuses"][str(user_id)]["state"]


@pytest.mark.skipif(not settings.REDIS_URL, reason="several processes share presence through Redis: needs REDIS_URL")
@pytest.mark.django_db(transaction=True)
def test_two_server_processes_count_one_persons_tabs_as_one_presence(two_servers, member, stranger):
    first, second = two_servers
    with _tab(first, _cookie(stranger)) as watcher:
        watcher.send(json.dumps({"type": "watch", "ids": [member.pk]}))
        assert _next_state(watcher, member.pk) == "offline"

        with _tab(second, _cookie(member)):
            # A tab on the second process: the watcher on the first hears it through Redis.
            assert _next_state(watcher, member.pk) == "online"
            with _tab(first, _cookie(member)):
                time.sleep(0.3)  # its heartbeat is recorded
            # A tab of the two closed: no change goes out, and the store still says online.
            with pytest.raises(TimeoutError):
                watcher.recv(timeout=1)
            assert presence.service().raw_statuses([member.pk])[member.pk].state == "online"

        assert _next_state(watcher, member.pk) == "offline"
    assert presence.service().raw_statuses([member.pk])[member.pk].last_seen is not None


async def test_a_client_beating_too_fast_writes_nothing_more_but_a_change_goes_through(member):
    socket, _, _ = await open_socket(member)
    await settle()
    before = await sync_to_async(presence.service().raw_statuses)([member.pk])

    for _ in range(5):
        await socket.send_json_to({"type": "heartbeat", "away": False})
    await settle()
    assert await sync_to_async(presence.service().raw_statuses)([member.pk]) == before  # last seen unmoved

    await socket.send_json_to({"type": "heartbeat", "away": True})
    await settle()
    assert await state_of(member) == "away"
    await socket.disconnect()
