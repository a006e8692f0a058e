"""The bell's socket: the unread count on connect when the page's is stale, pushed on change,
and polled on the in-memory layer (a worker's push cannot reach another process)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from apps.core.notifications import services
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import NotificationKind, register, unregister
from tests.realtime.test_notifications import ORIGIN, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ping_kind():
    kind = register(NotificationKind(name="tests.ping", label="Pings", description="", template="{actors} pinged"))
    yield kind
    unregister(kind.name)


async def connect(user, query: str = ""):  # type: ignore[no-untyped-def]
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    cookie = await session_cookie_for(user)
    path = "/ws/notifications/" + (f"?{query}" if query else "")
    headers = [(b"host", b"localhost"), ORIGIN, (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def unread(count: int) -> dict:
    return {"type": "notification", "kind": "notifications.unread", "data": {"unread": count}}


@sync_to_async
def ping(recipient, actor) -> None:  # type: ignore[no-untyped-def]
    services.notify(
        recipient_id=recipient.pk, kind="tests.ping", group="g", target_url="/x/", target_label="X", actor_id=actor.pk
    )


async def test_a_page_showing_a_stale_count_gets_the_real_one_on_connect(ping_kind, member, stranger):
    await ping(member, stranger)

    stale = await connect(member, "unread=0")
    fresh = await connect(member, "unread=1")

    assert await stale.receive_json_from(timeout=3) == unread(1)
    assert await fresh.receive_nothing(timeout=0.3)
    await stale.disconnect()
    await fresh.disconnect()


async def test_a_new_notification_and_reading_it_move_the_count(ping_kind, member, stranger):
    socket = await connect(member, "unread=0")

    await ping(member, stranger)
    assert await socket.receive_json_from(timeout=4) == unread(1)

    @sync_to_async
    def read_all() -> None:
        services.notification_mark_all_read(user=member)

    await read_all()
    assert await socket.receive_json_from(timeout=4) == unread(0)
    await socket.disconnect()


@pytest.mark.skipif(
    not isinstance(get_channel_layer(), InMemoryChannelLayer), reason="the poll runs on the in-memory layer only"
)
async def test_on_the_in_memory_layer_a_row_written_elsewhere_is_found_by_the_poll(
    ping_kind, member, stranger, settings
):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    socket = await connect(member, "unread=0")

    @sync_to_async
    def written_by_another_process() -> None:
        # What a worker does, minus the push that could not cross processes anyway.
        with transaction.atomic():
            Notification.objects.create(
                recipient=member, kind="tests.ping", domain="tests", group_key="k", target_url="/x/", target_label="X"
            )

    await written_by_another_process()
    assert await socket.receive_json_from(timeout=4) == unread(1)
    await socket.disconnect()
