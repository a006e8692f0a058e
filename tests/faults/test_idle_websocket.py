"""A socket that hears nothing for 30 s stays open on Redis, then hears its broadcast (issue 12's
first finding: every socket idle for ~6 s was closed with 1011 when the channel layer's Redis
read timeout was no longer than channels_redis's 5 s blocking pop).

A production-mode daphne on a private redis-server; a real websocket client holds the
notification socket and a live comment thread socket idle for 30 s, then a notification for
the user and a new comment on the thread are sent through the same Redis, as the worker and
another server process send them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import websockets
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from apps.blog.comments import POST_KIND
from apps.core.comments import services as comments
from apps.core.comments.realtime import thread_socket_path
from apps.core.platform import realtime
from tests.blog.factories import PostFactory
from tests.core.comments.factories import CommentFactory
from tests.utils import daphne_server

pytestmark = pytest.mark.django_db(transaction=True)

IDLE_SECONDS = 30
PREFIX = "faults-idle"  # the server's CACHE_PREFIX: its channel layer's keys start with "<prefix>:asgi"


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    return PostFactory(live=True, title="Worth waiting for")


@pytest.fixture
def regular(user_with_role, post):  # type: ignore[no-untyped-def]
    """A member with an approved comment: the next one publishes at once and is broadcast."""
    user = user_with_role(None, display_name="Reggie Regular")
    CommentFactory(target=post, author=user, body="An earlier comment.")
    return user


def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)  # the session row is in the shared database: the server finds it there
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def idle(socket: websockets.ClientConnection, seconds: float) -> str:
    """What the socket heard in ``seconds``: "nothing", a message, or how it was closed."""
    try:
        message = await asyncio.wait_for(socket.recv(), seconds)
    except TimeoutError:
        return "nothing"
    except websockets.ConnectionClosed as closed:
        return f"closed by the server with {closed.rcvd.code if closed.rcvd else 1006}"
    return f"a message: {message!r}"


def test_idle_sockets_stay_open_for_30_s_on_redis_then_hear_their_broadcasts(
    private_redis, production_env, tmp_path: Path, member, post, regular
):
    # The session below is signed with this process's key: the server must know it.
    env = {
        **production_env,
        "REDIS_URL": private_redis.url(0),
        "CACHE_PREFIX": PREFIX,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    server_layer = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [private_redis.url(0)], "prefix": f"{PREFIX}:asgi"},
        }
    }
    cookie = session_cookie(member)

    def notify() -> None:
        with override_settings(CHANNEL_LAYERS=server_layer), transaction.atomic():
            realtime.notify_user(member.pk, kind="comment.replied", data={"comment_id": 42})

    def comment() -> int:
        with override_settings(CHANNEL_LAYERS=server_layer):
            return comments.comment_create(author=regular, target=post, body="Worth the wait.").pk

    async def scenario(base: str) -> None:
        ws = "ws" + base.removeprefix("http")
        common = {"origin": base, "ping_interval": None, "open_timeout": 10}  # no client pings: truly idle
        async with (
            websockets.connect(f"{ws}/ws/notifications/", additional_headers={"Cookie": cookie}, **common) as bell,
            websockets.connect(ws + thread_socket_path(POST_KIND, post.pk), **common) as thread,
        ):
            heard = await asyncio.gather(idle(bell, IDLE_SECONDS), idle(thread, IDLE_SECONDS))
            assert heard == ["nothing", "nothing"]

            await asyncio.to_thread(notify)
            comment_id = await asyncio.to_thread(comment)

            assert json.loads(await asyncio.wait_for(bell.recv(), 5)) == {
                "type": "notification",
                "kind": "comment.replied",
                "data": {"comment_id": 42},
            }
            assert json.loads(await asyncio.wait_for(thread.recv(), 5)) == {
                "type": "comment.created",
                "comment_id": comment_id,
                "parent_id": None,
            }

    with daphne_server(env, tmp_path / "daphne.log") as base:
        asyncio.run(scenario(base))
