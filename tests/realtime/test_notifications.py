from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from apps.core.platform import realtime
from config.asgi import application
from config.routing import collect_websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


async def session_cookie_for(user) -> bytes:
    client = Client()
    await sync_to_async(client.force_login)(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def connect(headers: list[tuple[bytes, bytes]]) -> tuple[WebsocketCommunicator, bool, int | None]:
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"host", b"localhost"), *headers])
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_websocket_routes_are_collected_from_the_apps():
    routes = [str(pattern.pattern) for pattern in collect_websocket_urlpatterns()]

    assert "ws/notifications/" in routes


async def test_anonymous_socket_is_closed_with_4401():
    communicator, connected, code = await connect([ORIGIN])

    assert not connected
    assert code == realtime.CLOSE_UNAUTHENTICATED


async def test_a_deactivated_users_socket_is_closed_with_4401(member):
    cookie = await session_cookie_for(member)
    await sync_to_async(type(member).objects.filter(pk=member.pk).update)(is_active=False)

    communicator, connected, code = await connect([ORIGIN, (b"cookie", cookie)])

    assert not connected and code == realtime.CLOSE_UNAUTHENTICATED


async def test_socket_from_another_origin_is_refused(member):
    cookie = await session_cookie_for(member)

    communicator, connected, _ = await connect([(b"origin", b"https://evil.example"), (b"cookie", cookie)])

    assert not connected


async def test_signed_in_user_receives_their_notifications_after_commit(member, stranger):
    mine, connected, _ = await connect([ORIGIN, (b"cookie", await session_cookie_for(member))])
    theirs, _, _ = await connect([ORIGIN, (b"cookie", await session_cookie_for(stranger))])
    assert connected

    @sync_to_async
    def notify() -> None:
        with transaction.atomic():
            realtime.notify_user(member.pk, kind="comment.replied", data={"comment_id": 5})

    await notify()

    assert await mine.receive_json_from(timeout=3) == {
        "type": "notification",
        "kind": "comment.replied",
        "data": {"comment_id": 5},
    }
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_a_notification_from_a_rolled_back_transaction_is_never_sent(member):
    socket, _, _ = await connect([ORIGIN, (b"cookie", await session_cookie_for(member))])

    @sync_to_async
    def notify_then_fail() -> None:
        with transaction.atomic():
            realtime.notify_user(member.pk, kind="order.paid", data={})
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await notify_then_fail()

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_ping_is_answered_with_pong(member):
    socket, _, _ = await connect([ORIGIN, (b"cookie", await session_cookie_for(member))])

    await socket.send_json_to({"type": "ping"})

    assert await socket.receive_json_from(timeout=2) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: the in-memory layer has no socket to time out")
async def test_a_socket_idle_for_longer_than_the_layers_blocking_pop_stays_open(member):
    # channels_redis waits on Redis in 5 s blocking pops; a Redis client whose read timeout is no
    # longer than that closed every socket that heard nothing for about 6 s with 1011.
    socket, connected, _ = await connect([ORIGIN, (b"cookie", await session_cookie_for(member))])
    assert connected

    assert await socket.receive_nothing(timeout=7.5, interval=0.5)

    @sync_to_async
    def notify() -> None:
        with transaction.atomic():
            realtime.notify_user(member.pk, kind="comment.replied", data={"comment_id": 7})

    await notify()
    assert await socket.receive_json_from(timeout=3) == {
        "type": "notification",
        "kind": "comment.replied",
        "data": {"comment_id": 7},
    }
    await socket.disconnect()
