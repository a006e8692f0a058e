"""The live "N new posts" bar's socket: who may listen, and that a post is announced only to
those who may read it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from apps.social import realtime_timelines, timelines
from apps.social.models import Post
from config.asgi import application
from config.routing import collect_websocket_urlpatterns
from tests.core.factories import UserFactory
from tests.social.factories import FollowFactory, PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


async def listen(stream: str, *, user=None, since: int = 0) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [(b"host", b"localhost"), ORIGIN]
    if user is not None:
        client = Client()
        await sync_to_async(client.force_login)(user)
        headers.append(
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())
        )
    socket = WebsocketCommunicator(application, f"/ws/social/timeline/{stream}/?since={since}", headers=headers)
    connected, code = await socket.connect()
    return socket, connected, code


@pytest.fixture
def cast(db):
    author = UserFactory(display_name="Ada Author")
    follower = UserFactory(display_name="Finn Follower")
    FollowFactory(follower=follower, followee=author)
    stranger = UserFactory(display_name="Sam Stranger")
    for user in (author, follower, stranger):
        timelines.home_timeline(user)
    return author, follower, stranger


@pytest.fixture
def publish(task_queue):
    """Publish a post in a committed transaction, then run the fan-out it queued."""

    @sync_to_async
    def make(**fields) -> Post:
        with transaction.atomic():
            post = PostFactory(**fields)
            timelines.post_published(post.pk)
        task_queue.run()
        return post

    return make


def test_the_timeline_socket_route_is_collected_from_the_social_hook():
    routes = [str(pattern.pattern) for pattern in collect_websocket_urlpatterns()]

    assert "^ws/social/timeline/(?P<stream>home|public)/$" in routes


async def test_a_visitor_may_not_listen_to_a_home_timeline():
    socket, connected, code = await listen("home")

    assert not connected
    assert code == 4401


async def test_a_follower_hears_of_a_followers_only_post_and_a_stranger_does_not(cast, publish):
    author, follower, stranger = cast
    follower_socket, connected, _ = await listen("home", user=follower)
    stranger_socket, _, _ = await listen("home", user=stranger)
    assert connected

    await publish(author=author, visibility=Post.Visibility.FOLLOWERS)

    assert await follower_socket.receive_json_from(timeout=3) == {"type": "timeline.new", "count": 1}
    assert await stranger_socket.receive_nothing(timeout=0.5)
    await publish(author=author)
    assert (await follower_socket.receive_json_from(timeout=3))["count"] == 2
    await follower_socket.disconnect()
    await stranger_socket.disconnect()


async def test_a_push_that_reaches_a_stranger_is_recounted_and_stays_silent(cast, publish):
    author, _, stranger = cast
    socket, _, _ = await listen("home", user=stranger)
    post = await publish(author=author, visibility=Post.Visibility.FOLLOWERS)

    await get_channel_layer().group_send(
        realtime_timelines.home_group(stranger.pk), {"type": realtime_timelines.NEW_POST, "post_id": post.pk}
    )

    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_the_count_starts_from_the_page_and_restarts_once_the_new_posts_are_shown(cast, publish):
    author, follower, _ = cast
    shown = await publish(author=author)
    socket, _, _ = await listen("home", user=follower, since=shown.pk)
    assert await socket.receive_nothing(timeout=0.3)

    newer = await publish(author=author)
    assert (await socket.receive_json_from(timeout=3))["count"] == 1
    await socket.send_json_to({"type": "timeline.seen", "since": newer.pk})
    await publish(author=author)
    assert (await socket.receive_json_from(timeout=3))["count"] == 1
    await socket.disconnect()


async def test_a_socket_opened_after_posts_arrived_is_told_at_once(cast, publish):
    author, follower, _ = cast
    shown = await publish(author=author)
    await publish(author=author)

    socket, _, _ = await listen("home", user=follower, since=shown.pk)

    assert (await socket.receive_json_from(timeout=3))["count"] == 1
    await socket.disconnect()


async def test_the_public_stream_counts_public_posts_for_anyone(cast, publish):
    author, _, _ = cast
    socket, connected, _ = await listen("public")
    assert connected

    await publish(author=author, visibility=Post.Visibility.FOLLOWERS)
    assert await socket.receive_nothing(timeout=0.5)
    await publish(author=author)
    assert (await socket.receive_json_from(timeout=3))["count"] == 1
    await socket.disconnect()


async def test_on_the_in_memory_layer_a_socket_finds_another_process_s_posts_by_polling(cast, settings):
    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        pytest.skip("Redis carries every process's pushes: nothing polls")
    settings.SOCIAL_TIMELINE_POLL_SECONDS = 0.2
    author, follower, _ = cast
    socket, _, _ = await listen("home", user=follower)

    # Written as another process's worker would (its push cannot reach this process's layer).
    post = await sync_to_async(PostFactory)(author=author)
    await sync_to_async(timelines.timeline_store().add)(timelines.home_key(follower.pk), [post.pk])

    assert (await socket.receive_json_from(timeout=3))["count"] == 1
    await socket.disconnect()


async def test_a_ping_gets_a_pong(cast):
    _, follower, _ = cast
    socket, _, _ = await listen("home", user=follower)

    await socket.send_json_to({"type": "ping"})

    assert await socket.receive_json_from(timeout=3) == {"type": "pong"}
    await socket.disconnect()
