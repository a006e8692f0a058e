"""The live thread's socket: who may listen, what they hear, and a channel layer that is down."""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from apps.core.comments import realtime, services
from apps.core.comments.models import Comment
from config.asgi import application
from config.routing import collect_websocket_urlpatterns
from tests.blog.factories import PostFactory
from tests.utils import free_port

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


async def session_cookie_for(user) -> bytes:
    client = Client()
    await sync_to_async(client.force_login)(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def listen(post_id: int, *, user=None, origin=ORIGIN) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [(b"host", b"localhost"), origin]
    if user is not None:
        headers.append((b"cookie", await session_cookie_for(user)))
    communicator = WebsocketCommunicator(
        application, realtime.thread_socket_path("blog.post", post_id), headers=headers
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_the_comment_socket_route_is_collected_from_core():
    routes = [str(pattern.pattern) for pattern in collect_websocket_urlpatterns()]

    assert "ws/comments/<str:kind>/<id:target_id>/" in routes


async def test_an_anonymous_reader_hears_of_a_newly_published_comment(post, regular):
    socket, connected, _ = await listen(post.pk)
    assert connected

    @sync_to_async
    def write() -> Comment:
        with transaction.atomic():
            return services.comment_create(author=regular, target=post, body="Live!")

    comment = await write()

    assert await socket.receive_json_from(timeout=3) == {
        "type": "comment.created",
        "comment_id": comment.pk,
        "parent_id": None,
    }
    await socket.disconnect()


async def test_a_reply_is_announced_with_its_parent(post, comment, regular, member):
    socket, _, _ = await listen(post.pk, user=member)

    reply = await sync_to_async(services.comment_create)(author=regular, target=post, body="Re", parent=comment)

    message = await socket.receive_json_from(timeout=3)
    assert (message["comment_id"], message["parent_id"]) == (reply.pk, comment.pk)
    await socket.disconnect()


async def test_a_first_comment_is_announced_only_once_approved(post, reader, blog_admin):
    socket, _, _ = await listen(post.pk)

    waiting = await sync_to_async(services.comment_create)(author=reader, target=post, body="First")
    assert await socket.receive_nothing(timeout=0.3)
    await sync_to_async(services.comment_approve)(comment=waiting, moderator=blog_admin)

    assert (await socket.receive_json_from(timeout=3))["comment_id"] == waiting.pk
    await socket.disconnect()


async def test_readers_of_other_posts_hear_nothing(post, regular):
    other = await sync_to_async(PostFactory)(live=True)
    socket, _, _ = await listen(other.pk)

    await sync_to_async(services.comment_create)(author=regular, target=post, body="Elsewhere")

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_comment_from_a_rolled_back_transaction_is_never_announced(post, regular):
    socket, _, _ = await listen(post.pk)

    @sync_to_async
    def write_then_fail() -> None:
        with transaction.atomic():
            services.comment_create(author=regular, target=post, body="Never")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await write_then_fail()

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_an_unknown_post_closes_the_socket_with_4404():
    _, connected, code = await listen(987654)

    assert not connected and code == realtime.CLOSE_NOT_FOUND == 4404


async def test_a_post_that_is_not_published_closes_the_socket_with_4404_even_for_its_author(draft):
    author = await sync_to_async(lambda: draft.author)()

    _, connected, code = await listen(draft.pk, user=author)

    assert not connected and code == 4404


async def test_a_socket_from_another_origin_is_refused(post):
    _, connected, _ = await listen(post.pk, origin=(b"origin", b"https://evil.example"))

    assert not connected


async def test_ping_is_answered_with_pong(post):
    socket, _, _ = await listen(post.pk)

    await socket.send_json_to({"type": "ping"})

    assert await socket.receive_json_from(timeout=2) == {"type": "pong"}
    await socket.disconnect()


# --- A channel layer that is down ---------------------------------------------------------------------


@pytest.fixture
def dead_channel_layer(settings):
    """A Redis channel layer pointed at a port nothing listens on (channels re-reads the setting)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }


def test_with_the_channel_layer_down_comments_are_still_written_and_shown(
    dead_channel_layer, client_for, post, regular, caplog
):
    client = client_for(regular)

    with caplog.at_level(logging.WARNING, logger="apps.core.platform.degraded"):
        response = client.post(f"/blog/{post.slug}/comments/", {"body": "Written anyway"})

    assert response.status_code == 302
    assert "Written anyway" in client.get(post.get_absolute_url()).content.decode()
    assert "degraded: comment_broadcast went on without the channel layer" in caplog.text


async def test_with_the_channel_layer_down_the_socket_closes_with_try_again(dead_channel_layer, post):
    _, connected, code = await listen(post.pk)

    assert not connected and code == 1013
