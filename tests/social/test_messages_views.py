"""Direct messages' pages: the access matrix (anonymous, outsider, request, participant), wrong
methods, htmx fragments against full pages, bad input that changes nothing, cursor pages, the
header's count and flat query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.social.models import Conversation, Message, Participant
from apps.social.services import messages as services
from tests.core.images import image_upload
from tests.social.factories import BlockFactory, conversation_between, person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _roomy_rate_limit(monkeypatch):
    # The long threads below send more than a minute's allowance; the limit has its own test.
    monkeypatch.setattr(services, "SEND_LIMIT", 1000)


@pytest.fixture
def ana():
    return person("ana", display_name="Ana")


@pytest.fixture
def ben():
    return person("ben", display_name="Ben")


@pytest.fixture
def pair(ana, ben):
    return conversation_between(ana, ben)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def thread_url(conversation) -> str:
    return reverse("social:message-thread", args=[conversation.pk])


def send_url(conversation) -> str:
    return reverse("social:message-send", args=[conversation.pk])


# --- Access ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(pair):
    client = Client()
    for url in (reverse("social:messages"), reverse("social:message-new"), thread_url(pair)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(send_url(pair), {"body": "Hi"}).status_code == 302
    assert not Message.objects.exists()


def test_someone_outside_a_conversation_gets_404_for_all_of_it(pair, ana):
    message = services.message_send(sender=ana, conversation=pair, body="Private")
    outsider = client_of(person())

    assert outsider.get(thread_url(pair)).status_code == 404
    assert outsider.post(send_url(pair), {"body": "Let me in"}).status_code == 404
    fragment = reverse("social:message-fragment", args=[pair.pk, message.pk])
    assert outsider.get(fragment).status_code == 404
    for name in ("message-edit", "message-delete"):
        assert outsider.post(reverse(f"social:{name}", args=[pair.pk, message.pk]), {"body": "x"}).status_code == 404
    for name in ("message-accept", "message-leave", "message-read"):
        assert outsider.post(reverse(f"social:{name}", args=[pair.pk])).status_code == 404
    message.refresh_from_db()
    assert message.body == "Private" and Message.objects.count() == 1


def test_a_participant_reads_the_thread_and_the_page_marks_it_read(pair, ana, ben):
    services.message_send(sender=ana, conversation=pair, body="Hello Ben")

    response = client_of(ben).get(thread_url(pair))

    assert response.status_code == 200
    assert "Hello Ben" in response.text
    assert f'data-presence-user="{ana.pk}"' in response.text  # the presence service's spot
    assert f"/ws/social/messages/{pair.pk}/" in response.text
    assert Participant.objects.get(conversation=pair, user=ben).last_read_message_id == pair.messages.get().pk


def test_the_thread_says_how_far_each_other_person_has_read_for_the_live_receipts(pair, ana, ben):
    first = services.message_send(sender=ana, conversation=pair, body="One")
    services.conversation_mark_read(user=ben, conversation=pair)
    services.message_send(sender=ana, conversation=pair, body="Two")

    body = client_of(ana).get(thread_url(pair)).text

    # social-messages.js starts "Seen by" from these, so a receipt for an older message stays apart.
    assert f'data-read-upto="{first.pk}" data-presence-user="{ben.pk}"' in body
    assert 'id="dm-seen" hidden' in body


def test_a_request_shows_accept_and_decline_and_refuses_a_reply_until_accepted(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])
    services.message_send(sender=ana, conversation=conversation, body="Hi")
    client = client_of(ben)

    page = client.get(thread_url(conversation))
    assert page.status_code == 200 and "wants to message you" in page.text and 'id="dm-send"' not in page.text
    assert client.post(send_url(conversation), {"body": "Hi back"}).status_code == 403
    assert Message.objects.count() == 1

    accepted = client.post(reverse("social:message-accept", args=[conversation.pk]))
    assert accepted.status_code == 302
    assert client.post(send_url(conversation), {"body": "Hi back"}).status_code == 302
    assert Message.objects.count() == 2


def test_declining_a_request_leaves_it(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])
    client = client_of(ben)

    response = client.post(reverse("social:message-decline", args=[conversation.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("social:messages")
    assert client.get(thread_url(conversation)).status_code == 404


def test_a_blocked_pair_sees_the_thread_without_a_form_and_cannot_send(pair, ana, ben):
    BlockFactory(blocker=ben, blocked=ana)
    client = client_of(ana)

    page = client.get(thread_url(pair))
    assert page.status_code == 200 and "You cannot message this person" in page.text
    assert 'id="dm-send"' not in page.text
    assert client.post(send_url(pair), {"body": "Why?"}).status_code == 403
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "name, method",
    [
        ("message-send", "get"),
        ("message-read", "get"),
        ("message-accept", "get"),
        ("message-decline", "get"),
        ("message-leave", "get"),
        ("message-thread", "post"),
    ],
)
def test_wrong_methods_answer_405(pair, ana, name, method):
    response = getattr(client_of(ana), method)(reverse(f"social:{name}", args=[pair.pk]))
    assert response.status_code == 405


def test_wrong_methods_on_messages_and_the_inbox_answer_405(pair, ana):
    message = services.message_send(sender=ana, conversation=pair, body="Hi")
    client = client_of(ana)
    assert client.post(reverse("social:messages")).status_code == 405
    assert client.get(reverse("social:message-edit", args=[pair.pk, message.pk])).status_code == 405
    assert client.get(reverse("social:message-delete", args=[pair.pk, message.pk])).status_code == 405
    assert client.post(reverse("social:message-fragment", args=[pair.pk, message.pk])).status_code == 405


# --- Sending --------------------------------------------------------------------------------


def test_a_plain_form_sends_and_redirects_to_the_thread(pair, ana):
    response = client_of(ana).post(send_url(pair), {"body": "Plain and simple"})

    assert response.status_code == 302 and response["Location"] == thread_url(pair)
    assert Message.objects.get().body == "Plain and simple"


def test_htmx_gets_the_new_message_and_a_fresh_form_out_of_band(pair, ana):
    response = client_of(ana).post(send_url(pair), {"body": "Swapped in"}, **HTMX)

    assert response.status_code == 201
    message = Message.objects.get()
    assert f'id="message-{message.pk}"' in response.text
    assert 'hx-swap-oob="true"' in response.text and "<html" not in response.text


def test_an_image_is_sent_through_the_form(pair, ana):
    response = client_of(ana).post(send_url(pair), {"body": "", "image": image_upload("kiln.png")})

    assert response.status_code == 302
    assert Message.objects.get().image.name.endswith(".png")


@pytest.mark.parametrize(
    "data",
    [{"body": ""}, {"body": "   "}, {"body": "x" * 5001}, {"body": "", "image": "not-a-file"}],
    ids=["empty", "blank", "too long", "no image"],
)
def test_bad_messages_answer_422_and_change_nothing(pair, ana, data):
    response = client_of(ana).post(send_url(pair), data)

    assert response.status_code == 422
    assert not Message.objects.exists()


def test_a_file_that_is_not_an_image_answers_422_with_the_reason(pair, ana):
    upload = image_upload("evil.png", b"<?php echo 1; ?>")

    response = client_of(ana).post(send_url(pair), {"body": "look", "image": upload})

    assert response.status_code == 422 and "PNG, JPEG, GIF or WebP" in response.text
    assert not Message.objects.exists()


def test_htmx_bad_input_swaps_the_form_with_its_errors(pair, ana):
    response = client_of(ana).post(send_url(pair), {"body": ""}, **HTMX)

    assert response.status_code == 422
    assert response["HX-Retarget"] == "#dm-send" and response["HX-Reswap"] == "outerHTML"
    assert "Write a message or add an image" in response.text


# --- Editing and deleting -----------------------------------------------------------------


def test_the_sender_edits_with_htmx_and_gets_the_fragment(pair, ana):
    message = services.message_send(sender=ana, conversation=pair, body="Helo")
    url = reverse("social:message-edit", args=[pair.pk, message.pk])

    response = client_of(ana).post(url, {"body": "Hello"}, **HTMX)

    assert response.status_code == 200 and "Hello" in response.text and "edited" in response.text
    message.refresh_from_db()
    assert message.body == "Hello"


def test_another_participant_cannot_edit_or_delete_a_message(pair, ana, ben):
    message = services.message_send(sender=ana, conversation=pair, body="Mine")
    client = client_of(ben)

    assert client.post(reverse("social:message-edit", args=[pair.pk, message.pk]), {"body": "No"}).status_code == 403
    assert client.post(reverse("social:message-delete", args=[pair.pk, message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.body == "Mine" and not message.is_deleted


def test_an_empty_edit_answers_422_and_changes_nothing(pair, ana):
    message = services.message_send(sender=ana, conversation=pair, body="Keep")

    response = client_of(ana).post(reverse("social:message-edit", args=[pair.pk, message.pk]), {"body": ""})

    assert response.status_code == 422
    message.refresh_from_db()
    assert message.body == "Keep" and message.edited_at is None


def test_deleting_leaves_message_deleted_in_its_place(pair, ana, ben):
    message = services.message_send(sender=ana, conversation=pair, body="Regret")

    response = client_of(ana).post(reverse("social:message-delete", args=[pair.pk, message.pk]))

    assert response.status_code == 302
    page = client_of(ben).get(thread_url(pair))
    assert "Message deleted" in page.text and "Regret" not in page.text


# --- Starting -------------------------------------------------------------------------------


def test_a_profile_offers_message_to_signed_in_people_but_not_oneself_visitors_or_across_a_block(ana, ben):
    link = f'href="{reverse("social:message-new")}?to=ben"'

    assert link in client_of(ana).get("/@ben/").text
    assert link not in client_of(ben).get("/@ben/").text
    assert link not in Client().get("/@ben/").text
    BlockFactory(blocker=ben, blocked=ana)
    assert link not in client_of(ana).get("/@ben/").text


def test_new_with_to_opens_an_existing_conversation_at_once(pair, ana):
    response = client_of(ana).get(reverse("social:message-new") + "?to=@BEN")

    assert response.status_code == 302 and response["Location"] == thread_url(pair)


def test_new_with_to_fills_in_the_handle(ana, ben):
    response = client_of(ana).get(reverse("social:message-new") + "?to=ben")

    assert response.status_code == 200 and 'value="ben"' in response.text


def test_starting_by_handle_opens_the_pairs_conversation_with_the_first_message(ana, ben):
    client = client_of(ana)

    first = client.post(reverse("social:message-new"), {"to": "@Ben", "body": "Hello"})
    again = client.post(reverse("social:message-new"), {"to": "ben"})

    conversation = Conversation.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == thread_url(conversation)
    assert conversation.messages.get().body == "Hello"


def test_starting_a_group_by_handles(ana, ben):
    person("cara")

    response = client_of(ana).post(reverse("social:message-new"), {"to": "ben, cara", "title": "Kiln"})

    conversation = Conversation.objects.get()
    assert response.status_code == 302 and conversation.is_group and conversation.title == "Kiln"
    assert conversation.participants.count() == 3


@pytest.mark.parametrize("to", ["", "nobody_here", "not a handle!", "ana"], ids=["empty", "unknown", "bad", "oneself"])
def test_a_bad_recipient_answers_422_and_starts_nothing(ana, ben, to):
    response = client_of(ana).post(reverse("social:message-new"), {"to": to, "body": "Hi"})

    assert response.status_code == 422
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_starting_with_someone_blocked_answers_403_and_starts_nothing(ana, ben):
    BlockFactory(blocker=ben, blocked=ana)

    response = client_of(ana).post(reverse("social:message-new"), {"to": "ben", "body": "Hi"})

    assert response.status_code == 403 and "cannot message" in response.text
    assert not Conversation.objects.exists()


# --- Inbox, cursor pages, header, query counts ----------------------------------------------


def test_the_inbox_lists_conversations_with_unread_counts_and_requests_apart(ana, ben):
    cara = person("cara", display_name="Cara")
    pair = conversation_between(ana, ben)
    services.message_send(sender=ben, conversation=pair, body="Unread one")
    services.message_send(sender=ben, conversation=pair, body="Unread two")
    request = services.conversation_start(starter=cara, others=[ana])
    services.message_send(sender=cara, conversation=request, body="May I?")
    client = client_of(ana)

    inbox = client.get(reverse("social:messages"))
    requests = client.get(reverse("social:messages") + "?tab=requests")

    assert "Unread two" in inbox.text and "May I?" not in inbox.text
    assert '<span class="badge badge--info">2</span>' in inbox.text
    assert "Requests (1)" in inbox.text
    assert "May I?" in requests.text and "Unread two" not in requests.text


def test_the_header_shows_the_unread_count_and_nothing_for_visitors(pair, ana, ben):
    services.message_send(sender=ben, conversation=pair, body="1")
    services.message_send(sender=ben, conversation=pair, body="2")

    page = client_of(ana).get(reverse("social:messages"))
    assert "data-dm-unread>2</span>" in page.text

    client_of(ana).get(thread_url(pair))  # reading clears it
    assert "data-dm-unread" not in client_of(ana).get(reverse("social:messages")).text
    assert 'id="dm-header"' not in Client().get("/").text


def test_the_header_count_is_one_cache_read_once_warm(pair, ana, ben, django_assert_max_num_queries):
    from apps.social.selectors_messages import unread_total_for_user

    services.message_send(sender=ben, conversation=pair, body="1")
    assert unread_total_for_user(ana) == 1
    with django_assert_max_num_queries(0):
        assert unread_total_for_user(ana) == 1


def test_a_long_thread_pages_by_cursor_newest_first_with_load_older(pair, ana):
    sent = [services.message_send(sender=ana, conversation=pair, body=f"number {i}") for i in range(35)]
    Participant.objects.filter(user=ana).update(last_read_message_id=0)
    client = client_of(ana)

    page = client.get(thread_url(pair))
    assert "number 34" in page.text and "number 5<" in page.text and "number 4<" not in page.text
    assert f"?before={sent[5].pk}" in page.text

    older = client.get(thread_url(pair) + f"?before={sent[5].pk}", **HTMX)
    assert older.status_code == 200 and "<html" not in older.text
    assert "number 4<" in older.text and "number 0<" in older.text and "number 5<" not in older.text
    assert "Load older" not in older.text


def test_a_bad_cursor_answers_400(pair, ana):
    assert client_of(ana).get(thread_url(pair) + "?before=abc").status_code == 400


def test_the_inbox_query_count_does_not_grow_with_conversations(ana, django_assert_max_num_queries):
    def fill(count: int) -> None:
        for _ in range(count):
            other = person()
            conversation = conversation_between(ana, other, person())
            services.message_send(sender=other, conversation=conversation, body="Hi")

    client = client_of(ana)
    fill(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("social:messages"))
    fill(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("social:messages")).status_code == 200


def test_the_thread_query_count_does_not_grow_with_messages(ana, ben, django_assert_max_num_queries):
    pair = conversation_between(ana, ben)
    client = client_of(ana)
    for i in range(3):
        services.message_send(sender=ben, conversation=pair, body=f"m{i}")
    with django_assert_max_num_queries(30) as few:
        client.get(thread_url(pair))
    for i in range(25):
        services.message_send(sender=ben if i % 2 else ana, conversation=pair, body=f"n{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(thread_url(pair)).status_code == 200
