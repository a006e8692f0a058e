"""The social API's direct messages: the inbox and its requests folder (unread counts, cursor
pages with flat query counts), starting (a one-to-one conversation reused), a thread newest
first, sending with an image, editing and deleting, reading, accepting, declining and leaving;
the access matrix (anonymous 401, outsider 404, a request's reader 403 on sending, a block 403),
and bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.social.models import Conversation, Message, Participant
from apps.social.services import messages as services
from tests.core.images import image_upload
from tests.social.api.conftest import API, error_of
from tests.social.factories import BlockFactory, conversation_between, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roomy_send_limit")]


@pytest.fixture
def pair(ana, ben):
    return conversation_between(ana, ben)


def url(conversation, tail: str = "") -> str:
    return f"{API}conversations/{conversation.pk}/{tail}"


# --- Starting ----------------------------------------------------------------------------------


def test_starting_a_conversation_sends_its_first_message_and_reuses_it_after(api_as, ana, ben):
    client = api_as(ana)
    first = client.post(f"{API}conversations/", {"handles": ["@Ben"], "text": "Hi"}, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["is_group"] is False and body["last_message"]["text"] == "Hi"
    assert sorted(p["handle"] for p in body["people"]) == ["ana", "ben"]
    again = client.post(f"{API}conversations/", {"handles": ["ben"]}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Conversation.objects.count() == 1


def test_a_recipient_who_does_not_follow_gets_a_request(api_as, ana, ben):
    api_as(ana).post(f"{API}conversations/", {"handles": ["ben"], "text": "Hi"}, format="json")
    client = api_as(ben)
    assert client.get(f"{API}conversations/").json()["results"] == []
    requests = client.get(f"{API}conversations/", {"folder": "requests"}).json()["results"]
    assert len(requests) == 1 and requests[0]["state"] == "request" and requests[0]["unread"] == 1


def test_a_group_has_a_title(api_as, ana, ben, cat):
    body = api_as(ana).post(f"{API}conversations/", {"handles": ["ben", "cat"], "title": "Plans"}, format="json").json()
    assert body["is_group"] is True and body["title"] == "Plans" and len(body["people"]) == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "handles"),
        ({"handles": []}, "handles"),
        ({"handles": "ben"}, "handles"),
        ({"handles": ["nobody"]}, "handles"),
        ({"handles": ["ana"]}, "handles"),
        ({"handles": ["ben"], "text": "x" * 5001}, "text"),
    ],
)
def test_bad_starts_are_400_and_make_nothing(api_as, ana, ben, data, field):
    error = error_of(api_as(ana).post(f"{API}conversations/", data, format="json"), 400)
    assert field in error["fields"], error
    assert not Conversation.objects.exists()


def test_nobody_starts_a_conversation_across_a_block(api_as, ana, ben):
    BlockFactory(blocker=ben, blocked=ana)
    error_of(api_as(ana).post(f"{API}conversations/", {"handles": ["ben"], "text": "Hi"}, format="json"), 403)
    assert not Conversation.objects.exists()


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_callers_are_unauthorized_everywhere(api_as, pair):
    client = api_as(None)
    for path in (f"{API}conversations/", url(pair), url(pair, "messages/")):
        error_of(client.get(path), 401)
    error_of(client.post(url(pair, "messages/"), {"text": "x"}, format="json"), 401)
    error_of(client.post(url(pair, "read/")), 401)


def test_outsiders_and_those_who_left_find_no_conversation(api_as, pair, ana, cat):
    outsider = api_as(cat)
    error_of(outsider.get(url(pair)), 404)
    error_of(outsider.get(url(pair, "messages/")), 404)
    error_of(outsider.post(url(pair, "messages/"), {"text": "x"}, format="json"), 404)
    error_of(outsider.post(url(pair, "leave/")), 404)
    error_of(api_as(ana).get(f"{API}conversations/999999/"), 404)
    assert api_as(ana).post(url(pair, "leave/")).status_code == 204
    error_of(api_as(ana).get(url(pair)), 404)


def test_a_requests_reader_may_read_but_not_reply_until_accepting(api_as, ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])
    services.message_send(sender=ana, conversation=conversation, body="Hi")
    client = api_as(ben)
    assert client.get(url(conversation, "messages/")).json()["results"][0]["text"] == "Hi"
    error_of(client.post(url(conversation, "messages/"), {"text": "Hello"}, format="json"), 403)
    accepted = client.post(url(conversation, "accept/"))
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert client.post(url(conversation, "messages/"), {"text": "Hello"}, format="json").status_code == 201


def test_declining_a_request_leaves_it_and_declining_an_ordinary_one_is_a_conflict(api_as, ana, ben, pair):
    error_of(api_as(ben).post(url(pair, "decline/")), 409)
    conversation = services.conversation_start(starter=ben, others=[person("dee")])
    dee = Participant.objects.exclude(user=ben).get(conversation=conversation).user
    assert api_as(dee).post(url(conversation, "decline/")).status_code == 204
    assert Participant.objects.get(user=dee).left_at is not None


def test_a_block_stops_sending_in_a_one_to_one_conversation(api_as, pair, ana, ben):
    BlockFactory(blocker=ben, blocked=ana)
    error_of(api_as(ana).post(url(pair, "messages/"), {"text": "Hi"}, format="json"), 403)
    assert api_as(ana).get(url(pair)).json()["blocked"] is True
    assert not Message.objects.exists()


# --- Messages ----------------------------------------------------------------------------------


def test_a_thread_pages_newest_first_by_cursor_with_flat_queries(api_as, pair, ana, django_assert_max_num_queries):
    for i in range(7):
        services.message_send(sender=ana, conversation=pair, body=f"m{i}")
    client = api_as(ana)
    with django_assert_max_num_queries(7):
        first = client.get(url(pair, "messages/"), {"page_size": 3}).json()
    texts = [m["text"] for m in first["results"]]
    with django_assert_max_num_queries(7):
        second = client.get(first["next"]).json()
    texts += [m["text"] for m in second["results"]]
    texts += [m["text"] for m in client.get(second["next"]).json()["results"]]
    assert texts == [f"m{i}" for i in reversed(range(7))]


def test_the_inbox_shows_unread_counts_with_flat_queries(api_as, ana, django_assert_max_num_queries):
    friends = [person(f"friend{i}") for i in range(6)]
    for friend in friends:
        conversation = conversation_between(friend, ana)
        services.message_send(sender=friend, conversation=conversation, body="Hi")
        services.message_send(sender=friend, conversation=conversation, body="There")
    client = api_as(ana)
    with django_assert_max_num_queries(8):  # the same for one row: see the second page's
        body = client.get(f"{API}conversations/", {"page_size": 4}).json()
    assert [row["unread"] for row in body["results"]] == [2, 2, 2, 2]
    assert [row["people"][0]["handle"] for row in body["results"]] == ["friend5", "friend4", "friend3", "friend2"]
    with django_assert_max_num_queries(8):
        rest = client.get(body["next"]).json()["results"]
    assert len(rest) == 2


def test_an_unknown_folder_is_400(api_as, ana):
    assert "folder" in error_of(api_as(ana).get(f"{API}conversations/", {"folder": "spam"}), 400)["fields"]


def test_sending_with_an_image_and_reading(api_as, pair, ana, ben):
    sent = api_as(ana).post(url(pair, "messages/"), {"text": "Look", "image": image_upload()}, format="multipart")
    assert sent.status_code == 201, sent.content
    assert sent.json()["image_url"].startswith("http") and sent.json()["mine"] is True
    client = api_as(ben)
    assert client.get(url(pair)).json()["unread"] == 1
    read = client.post(url(pair, "read/"), {}, format="json")
    assert read.json() == {"last_read_message_id": sent.json()["id"]}
    assert client.get(url(pair)).json()["unread"] == 0


@pytest.mark.parametrize("data", [{}, {"text": "   "}, {"text": "x" * 5001}, {"text": ["a"]}])
def test_bad_messages_are_400_and_send_nothing(api_as, pair, ana, data):
    error = error_of(api_as(ana).post(url(pair, "messages/"), data, format="json"), 400)
    assert "text" in error["fields"], error
    assert not Message.objects.exists()


def test_an_image_that_is_no_image_is_400(api_as, pair, ana):
    upload = image_upload(content=b"not an image")
    error = error_of(api_as(ana).post(url(pair, "messages/"), {"image": upload}, format="multipart"), 400)
    assert "image" in error["fields"]
    assert not Message.objects.exists()


def test_sending_too_fast_is_429_with_a_wait(api_as, pair, ana, monkeypatch):
    monkeypatch.setattr(services, "SEND_LIMIT", 1)
    client = api_as(ana)
    assert client.post(url(pair, "messages/"), {"text": "one"}, format="json").status_code == 201
    error = error_of(client.post(url(pair, "messages/"), {"text": "two"}, format="json"), 429)
    assert error["retry_after"] >= 1


def test_the_sender_edits_within_the_window_and_deletes(api_as, pair, ana, ben):
    message = services.message_send(sender=ana, conversation=pair, body="Helo")
    client = api_as(ana)
    edited = client.patch(url(pair, f"messages/{message.pk}/"), {"text": "Hello"}, format="json")
    assert edited.status_code == 200 and edited.json()["text"] == "Hello" and edited.json()["edited_at"]
    error_of(api_as(ben).patch(url(pair, f"messages/{message.pk}/"), {"text": "Nope"}, format="json"), 403)
    error_of(api_as(ben).delete(url(pair, f"messages/{message.pk}/")), 403)
    assert client.delete(url(pair, f"messages/{message.pk}/")).status_code == 204
    assert client.delete(url(pair, f"messages/{message.pk}/")).status_code == 204
    assert Message.objects.get().is_deleted
    error_of(client.patch(url(pair, f"messages/{message.pk}/"), {"text": "Back"}, format="json"), 409)


def test_edits_past_the_window_are_a_conflict_and_change_nothing(api_as, pair, ana):
    message = services.message_send(sender=ana, conversation=pair, body="Old")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    error = error_of(api_as(ana).patch(url(pair, f"messages/{message.pk}/"), {"text": "New"}, format="json"), 409)
    assert error["code"] == "edit_window"
    assert Message.objects.get().body == "Old"


def test_a_message_of_another_conversation_is_not_found(api_as, pair, ana, cat):
    other = conversation_between(cat, person("dee"))
    message = services.message_send(sender=cat, conversation=other, body="Hi")
    error_of(api_as(ana).patch(url(pair, f"messages/{message.pk}/"), {"text": "x"}, format="json"), 404)
    error_of(api_as(ana).delete(url(other, f"messages/{message.pk}/")), 404)


# --- Idempotency -------------------------------------------------------------------------------


def test_a_retried_send_with_its_idempotency_key_is_one_message(api_as, pair, ana):
    client = api_as(ana)
    first = client.post(url(pair, "messages/"), {"text": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="send-1")
    again = client.post(url(pair, "messages/"), {"text": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="send-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1


def test_a_retried_start_with_its_idempotency_key_is_one_group(api_as, ana, ben, cat):
    client = api_as(ana)
    data = {"handles": ["ben", "cat"], "text": "All of us"}
    for _ in range(2):
        response = client.post(f"{API}conversations/", data, format="json", HTTP_IDEMPOTENCY_KEY="start-1")
        assert response.status_code == 201
    assert Conversation.objects.count() == 1 and Message.objects.count() == 1
