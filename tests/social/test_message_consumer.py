"""A conversation's socket on the real channel layer (in memory, or Redis with REDIS_URL): who
may listen (anonymous 4401, outsiders 4404, a blocked pair 4403), what participants hear
(message.new / edited / deleted, typing, read) and what they may do over it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from apps.social import realtime
from apps.social.models import Message, Participant
from apps.social.services import messages as services
from config.asgi import application
from config.routing import collect_websocket_urlpatterns
from tests.social.factories import BlockFactory, conversation_between, person

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")
WAIT = 10  # seconds: generous, for a loaded machine (the database work runs in threads)


async def session_cookie_for(user) -> bytes:
    client = Client()
    await sync_to_async(client.force_login)(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def listen(conversation_id: int, *, user=None) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [(b"host", b"localhost"), ORIGIN]
    if user is not None:
        headers.append((b"cookie", await session_cookie_for(user)))
    socket = WebsocketCommunicator(application, realtime.conversation_socket_path(conversation_id), headers=headers)
    connected, code = await socket.connect()
    if not connected:
        # A refused socket's application ends here, within the test, not when pytest-asyncio
        # closes the loop (one left running there hung a CI worker in _cancel_all_tasks).
        await socket.wait(WAIT)
    return socket, connected, code


@pytest.fixture
def ana():
    return person("ana")


@pytest.fixture
def ben():
    return person("ben")


@pytest.fixture
def pair(ana, ben):
    return conversation_between(ana, ben)


def test_the_conversation_socket_route_is_collected_from_the_social_hook():
    routes = [str(pattern.pattern) for pattern in collect_websocket_urlpatterns()]

    assert "ws/social/messages/<id:conversation_id>/" in routes


async def test_an_anonymous_socket_is_refused_with_4401(pair):
    _, connected, code = await listen(pair.pk)

    assert (connected, code) == (False, realtime.CLOSE_UNAUTHENTICATED)


async def test_someone_outside_the_conversation_is_refused_with_4404(pair):
    outsider = await sync_to_async(person)()

    _, connected, code = await listen(pair.pk, user=outsider)

    assert (connected, code) == (False, realtime.CLOSE_NOT_FOUND)


async def test_someone_who_left_is_refused(pair, ben):
    await sync_to_async(services.conversation_leave)(user=ben, conversation=pair)

    _, connected, code = await listen(pair.pk, user=ben)

    assert (connected, code) == (False, realtime.CLOSE_NOT_FOUND)


async def test_a_blocked_pair_is_refused_with_4403(pair, ana, ben):
    await sync_to_async(BlockFactory)(blocker=ana, blocked=ben)

    for user in (ana, ben):
        _, connected, code = await listen(pair.pk, user=user)
        assert (connected, code) == (False, realtime.CLOSE_BLOCKED)


async def test_a_participant_hears_a_new_message_by_id_only(pair, ana, ben):
    socket, connected, _ = await listen(pair.pk, user=ben)
    assert connected

    message = await sync_to_async(services.message_send)(sender=ana, conversation=pair, body="Secret words")

    event = await socket.receive_json_from(timeout=WAIT)
    assert event == {
        "type": "message.new",
        "conversation_id": pair.pk,
        "message_id": message.pk,
        "sender_id": ana.pk,
    }
    await socket.disconnect()


async def test_edits_and_deletes_are_announced(pair, ana, ben):
    message = await sync_to_async(services.message_send)(sender=ana, conversation=pair, body="Helo")
    socket, _, _ = await listen(pair.pk, user=ben)

    await sync_to_async(services.message_edit)(actor=ana, message=message, body="Hello")
    await sync_to_async(services.message_delete)(actor=ana, message=message)

    assert (await socket.receive_json_from(timeout=WAIT))["type"] == "message.edited"
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == "message.deleted"
    await socket.disconnect()


async def test_typing_reaches_the_others_and_is_told_once_per_two_seconds(pair, ana, ben):
    typist, _, _ = await listen(pair.pk, user=ana)
    reader, _, _ = await listen(pair.pk, user=ben)

    await typist.send_json_to({"type": "typing"})
    await typist.send_json_to({"type": "typing"})  # a second key press at once: not told again

    assert await reader.receive_json_from(timeout=WAIT) == {
        "type": "typing",
        "conversation_id": pair.pk,
        "user_id": ana.pk,
    }
    assert await reader.receive_nothing(timeout=0.3)
    assert not await sync_to_async(Message.objects.exists)()  # typing stores nothing
    await typist.disconnect()
    await reader.disconnect()


async def test_a_read_receipt_is_stored_and_announced(pair, ana, ben):
    message = await sync_to_async(services.message_send)(sender=ana, conversation=pair, body="Seen?")
    sender, _, _ = await listen(pair.pk, user=ana)
    reader, _, _ = await listen(pair.pk, user=ben)

    await reader.send_json_to({"type": "read", "message_id": message.pk})

    assert await sender.receive_json_from(timeout=WAIT) == {
        "type": "read",
        "conversation_id": pair.pk,
        "user_id": ben.pk,
        "message_id": message.pk,
    }
    row = await sync_to_async(Participant.objects.get)(conversation=pair, user=ben)
    assert row.last_read_message_id == message.pk
    await sender.disconnect()
    await reader.disconnect()


async def test_a_message_sent_over_the_socket_is_stored_and_announced_to_all(pair, ana, ben):
    sender, _, _ = await listen(pair.pk, user=ana)
    reader, _, _ = await listen(pair.pk, user=ben)

    await sender.send_json_to({"type": "message.send", "body": "Over the wire", "nonce": "n1"})

    told = {(await sender.receive_json_from(timeout=WAIT))["type"] for _ in range(2)}
    assert told == {"message.sent", "message.new"}
    heard = await reader.receive_json_from(timeout=WAIT)
    stored = await sync_to_async(Message.objects.get)()
    assert (heard["type"], heard["message_id"], stored.body) == ("message.new", stored.pk, "Over the wire")
    await sender.disconnect()
    await reader.disconnect()


async def test_a_bad_message_over_the_socket_answers_an_error_and_stores_nothing(pair, ana):
    socket, _, _ = await listen(pair.pk, user=ana)

    await socket.send_json_to({"type": "message.send", "body": "   "})
    error = await socket.receive_json_from(timeout=WAIT)
    await socket.send_json_to({"type": "nonsense"})
    unknown = await socket.receive_json_from(timeout=WAIT)

    assert error["type"] == "error" and "Write a message" in error["message"]
    assert unknown == {"type": "error", "code": "bad_request", "message": "Unknown event."}
    assert not await sync_to_async(Message.objects.exists)()
    await socket.disconnect()


async def test_a_block_made_while_the_socket_is_open_refuses_the_next_message_and_closes(pair, ana, ben):
    socket, _, _ = await listen(pair.pk, user=ana)
    await sync_to_async(BlockFactory)(blocker=ben, blocked=ana)

    await socket.send_json_to({"type": "message.send", "body": "Are you there?"})

    error = await socket.receive_json_from(timeout=WAIT)
    assert error["type"] == "error" and error["code"] == "forbidden"
    closed = await socket.receive_output(timeout=WAIT)
    assert closed == {"type": "websocket.close", "code": realtime.CLOSE_BLOCKED}
    assert not await sync_to_async(Message.objects.exists)()


async def test_another_conversations_events_are_not_heard(pair, ana, ben):
    cara = await sync_to_async(person)()
    other = await sync_to_async(conversation_between)(ana, cara)
    socket, _, _ = await listen(pair.pk, user=ben)

    await sync_to_async(services.message_send)(sender=ana, conversation=other, body="Not for Ben")

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_ping_is_answered(pair, ana):
    socket, _, _ = await listen(pair.pk, user=ana)

    await socket.send_json_to({"type": "ping"})

    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("bad_id", ["12", 1.5, True, 2**64, -3])
async def test_a_malformed_message_id_answers_bad_request_and_keeps_the_socket(pair, ana, bad_id):
    socket, _, _ = await listen(pair.pk, user=ana)

    await socket.send_json_to({"type": "message.delete", "message_id": bad_id})

    assert (await socket.receive_json_from(timeout=WAIT))["code"] == "bad_request"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


async def test_someone_with_a_request_is_not_heard_typing_or_reading(ana, ben):
    conversation = await sync_to_async(services.conversation_start)(starter=ana, others=[ben])
    message = await sync_to_async(services.message_send)(sender=ana, conversation=conversation, body="Hi")
    starter, _, _ = await listen(conversation.pk, user=ana)
    requested, connected, _ = await listen(conversation.pk, user=ben)
    assert connected  # they may read the request live

    await requested.send_json_to({"type": "typing"})
    assert (await requested.receive_json_from(timeout=WAIT))["code"] == "forbidden"
    await requested.send_json_to({"type": "read", "message_id": message.pk})

    assert await starter.receive_nothing(timeout=0.5)
    row = await sync_to_async(Participant.objects.get)(conversation=conversation, user=ben)
    assert row.last_read_message_id == 0
    await starter.disconnect()
    await requested.disconnect()
