"""Direct messages' services: starting (one-to-one reused, requests for who does not follow the
starter, groups up to 32), refusals (blocks, outsiders, requests replying), editing and deleting,
read receipts and unread counts, leaving and declining, notifications and rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.notifications.models import Notification
from apps.social import selectors_messages as selectors
from apps.social.models import Conversation, Message, Participant
from apps.social.models.messages import GROUP_MAX
from apps.social.services import messages as services
from tests.core.images import image_upload
from tests.social.factories import BlockFactory, MuteFactory, conversation_between, follow, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    return person("ana")


@pytest.fixture
def ben():
    return person("ben")


@pytest.fixture
def pair(ana, ben):
    return conversation_between(ana, ben)


def state_of(conversation, user) -> str:
    return Participant.objects.get(conversation=conversation, user=user).state


def test_starting_a_conversation_with_a_follower_makes_it_accepted_for_both(ana, ben):
    follow(ben, ana)

    conversation = services.conversation_start(starter=ana, others=[ben])

    assert not conversation.is_group
    assert state_of(conversation, ana) == state_of(conversation, ben) == "accepted"


def test_someone_who_does_not_follow_the_starter_gets_a_request(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])

    assert state_of(conversation, ana) == "accepted"
    assert state_of(conversation, ben) == "request"
    assert [row.conversation_id for row in selectors.inbox_for_user(user=ben, requests=True)] == [conversation.pk]
    assert list(selectors.inbox_for_user(user=ben)) == []


def test_starting_again_reuses_the_pairs_conversation_whoever_starts_it(ana, ben):
    first = services.conversation_start(starter=ana, others=[ben])

    again = services.conversation_start(starter=ben, others=[ana])

    assert again.pk == first.pk
    assert Conversation.objects.count() == 1


def test_a_group_is_a_new_conversation_each_time_with_its_title(ana, ben):
    cara = person("cara")

    one = conversation_between(ana, ben, cara, title="  Pottery   club ")
    two = conversation_between(ana, ben, cara)

    assert one.pk != two.pk and one.is_group and one.pair_key is None
    assert one.title == "Pottery club"
    assert Participant.objects.filter(conversation=one).count() == 3


def test_a_group_of_thirty_two_is_allowed_and_thirty_three_refused(ana):
    others = [person() for _ in range(GROUP_MAX)]

    conversation_between(ana, *others[: GROUP_MAX - 1])
    with pytest.raises(ValidationError, match="at most 32"):
        services.conversation_start(starter=ana, others=others)

    assert Conversation.objects.count() == 1


def test_one_cannot_start_a_conversation_with_oneself_alone(ana):
    with pytest.raises(ValidationError):
        services.conversation_start(starter=ana, others=[ana])
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("direction", ["starter blocked", "starter was blocked"])
def test_a_block_either_way_refuses_to_start(ana, ben, direction):
    if direction == "starter blocked":
        BlockFactory(blocker=ana, blocked=ben)
    else:
        BlockFactory(blocker=ben, blocked=ana)

    with pytest.raises(PermissionDenied):
        services.conversation_start(starter=ana, others=[ben])
    with pytest.raises(PermissionDenied):
        services.conversation_start(starter=ana, others=[ben, person()])
    assert not Conversation.objects.exists()


def test_a_block_ends_an_existing_one_to_one_conversation(pair, ana, ben):
    services.message_send(sender=ana, conversation=pair, body="Hello")
    BlockFactory(blocker=ben, blocked=ana)

    for sender in (ana, ben):
        with pytest.raises(PermissionDenied):
            services.message_send(sender=sender, conversation=pair, body="Still there?")
    assert Message.objects.count() == 1


def test_someone_outside_a_conversation_cannot_send_read_or_leave_it(pair):
    outsider = person()

    with pytest.raises(PermissionDenied):
        services.message_send(sender=outsider, conversation=pair, body="Hi")
    with pytest.raises(PermissionDenied):
        services.conversation_mark_read(user=outsider, conversation=pair)
    with pytest.raises(PermissionDenied):
        services.conversation_leave(user=outsider, conversation=pair)
    assert not Message.objects.exists()


def test_a_request_must_be_accepted_before_replying(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])
    services.message_send(sender=ana, conversation=conversation, body="Hi, we met at the fair")

    with pytest.raises(PermissionDenied, match="Accept"):
        services.message_send(sender=ben, conversation=conversation, body="Hi")
    services.request_accept(user=ben, conversation=conversation)
    services.message_send(sender=ben, conversation=conversation, body="Hi")

    assert state_of(conversation, ben) == "accepted"
    assert Message.objects.filter(sender=ben).count() == 1


def test_declining_a_request_leaves_it_and_starting_again_brings_it_back_as_a_request(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])

    services.request_decline(user=ben, conversation=conversation)
    assert list(selectors.inbox_for_user(user=ben, requests=True)) == []

    services.conversation_start(starter=ana, others=[ben])
    assert [row.conversation_id for row in selectors.inbox_for_user(user=ben, requests=True)] == [conversation.pk]


def test_declining_an_accepted_conversation_is_refused(pair, ben):
    with pytest.raises(ValidationError):
        services.request_decline(user=ben, conversation=pair)
    assert state_of(pair, ben) == "accepted"


def test_a_message_needs_text_or_an_image_and_at_most_5000_characters(pair, ana):
    with pytest.raises(ValidationError):
        services.message_send(sender=ana, conversation=pair, body="   ")
    with pytest.raises(ValidationError):
        services.message_send(sender=ana, conversation=pair, body="x" * 5001)
    services.message_send(sender=ana, conversation=pair, body="x" * 5000)

    assert Message.objects.count() == 1


def test_an_image_is_re_encoded_and_a_file_that_is_not_one_refused(pair, ana):
    message = services.message_send(sender=ana, conversation=pair, body="", image=image_upload("cat.png"))
    assert message.image.name.endswith(".png") and "cat" not in message.image.name

    with pytest.raises(ValidationError) as refused:
        services.message_send(sender=ana, conversation=pair, body="", image=image_upload("x.png", b"not an image"))
    assert "image" in refused.value.message_dict
    assert Message.objects.count() == 1


def test_sending_moves_the_conversation_to_the_top_of_the_inbox(ana, ben):
    cara = person("cara")
    older = conversation_between(ana, ben)
    newer = conversation_between(ana, cara)
    assert [row.conversation_id for row in selectors.inbox_for_user(user=ana)] == [newer.pk, older.pk]

    services.message_send(sender=ben, conversation=older, body="Up you go")

    assert [row.conversation_id for row in selectors.inbox_for_user(user=ana)] == [older.pk, newer.pk]
    assert Conversation.objects.get(pk=older.pk).last_message.body == "Up you go"


def test_unread_counts_per_conversation_and_in_total(ana, ben):
    cara = person("cara")
    with_ben = conversation_between(ana, ben)
    with_cara = conversation_between(ana, cara)
    for body in ("one", "two"):
        services.message_send(sender=ben, conversation=with_ben, body=body)
    services.message_send(sender=cara, conversation=with_cara, body="three")
    services.message_send(sender=ana, conversation=with_cara, body="mine do not count")

    unread = {row.conversation_id: row.unread for row in selectors.inbox_for_user(user=ana)}
    assert unread == {with_ben.pk: 2, with_cara.pk: 0}  # answering reads what came before
    assert selectors.unread_total_for_user(ana) == 2

    services.conversation_mark_read(user=ana, conversation=with_ben)
    assert selectors.unread_total_for_user(ana) == 0
    assert selectors.unread_total_for_user(ben) == 0


def test_requests_do_not_count_in_the_header_until_accepted(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])
    services.message_send(sender=ana, conversation=conversation, body="Hi")
    assert selectors.unread_total_for_user(ben) == 0

    services.request_accept(user=ben, conversation=conversation)
    assert selectors.unread_total_for_user(ben) == 1


def test_a_deleted_message_is_no_longer_unread(pair, ana, ben):
    message = services.message_send(sender=ana, conversation=pair, body="Oops")
    assert selectors.unread_total_for_user(ben) == 1

    services.message_delete(actor=ana, message=message)

    assert selectors.unread_total_for_user(ben) == 0


def test_a_read_receipt_only_moves_forward_and_not_past_the_newest_message(pair, ana, ben):
    first = services.message_send(sender=ana, conversation=pair, body="1")
    second = services.message_send(sender=ana, conversation=pair, body="2")

    assert services.conversation_mark_read(user=ben, conversation=pair, message_id=second.pk + 1000) == second.pk
    assert services.conversation_mark_read(user=ben, conversation=pair, message_id=first.pk) == second.pk
    assert Participant.objects.get(conversation=pair, user=ben).last_read_message_id == second.pk


def test_only_the_sender_edits_and_only_within_fifteen_minutes(pair, ana, ben):
    message = services.message_send(sender=ana, conversation=pair, body="Helo")

    with pytest.raises(PermissionDenied):
        services.message_edit(actor=ben, message=message, body="Hijacked")
    services.message_edit(actor=ana, message=message, body="Hello")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    message.refresh_from_db()
    with pytest.raises(ValidationError, match="15 minutes"):
        services.message_edit(actor=ana, message=message, body="Hello again")

    message.refresh_from_db()
    assert message.body == "Hello" and message.edited_at is not None


def test_only_the_sender_deletes_and_the_row_stays_emptied(pair, ana, ben):
    message = services.message_send(sender=ana, conversation=pair, body="Secret", image=image_upload())

    with pytest.raises(PermissionDenied):
        services.message_delete(actor=ben, message=message)
    services.message_delete(actor=ana, message=message)

    message.refresh_from_db()
    assert message.is_deleted and message.body == "" and not message.image
    with pytest.raises(ValidationError):
        services.message_edit(actor=ana, message=message, body="Back")


def test_leaving_takes_the_conversation_from_the_inbox_and_stops_sending(ana, ben):
    group = conversation_between(ana, ben, person())

    services.conversation_leave(user=ben, conversation=group)

    assert list(selectors.inbox_for_user(user=ben)) == []
    with pytest.raises(PermissionDenied):
        services.message_send(sender=ben, conversation=group, body="Bye")


def test_accepted_recipients_are_notified_once_per_conversation_while_unread(ana, ben):
    cara = person("cara")
    group = conversation_between(ana, ben, cara)
    MuteFactory(muter=cara, muted=ana)

    services.message_send(sender=ana, conversation=group, body="One")
    services.message_send(sender=ana, conversation=group, body="Two")

    rows = Notification.objects.filter(kind="social.message")
    assert [(row.recipient_id, row.count) for row in rows] == [(ben.pk, 2)]


def test_a_request_notifies_nobody(ana, ben):
    conversation = services.conversation_start(starter=ana, others=[ben])

    services.message_send(sender=ana, conversation=conversation, body="Hi")

    assert not Notification.objects.filter(kind="social.message").exists()


def test_sending_too_fast_is_refused_with_the_wait(pair, ana, monkeypatch):
    # A small allowance in a long window, so a slow run cannot cross into the next window.
    monkeypatch.setattr(services, "SEND_LIMIT", 3)
    monkeypatch.setattr(services, "SEND_WINDOW", 3600)
    for number in range(services.SEND_LIMIT):
        services.message_send(sender=ana, conversation=pair, body=str(number))

    with pytest.raises(services.MessageRateLimited) as refused:
        services.message_send(sender=ana, conversation=pair, body="one more")

    assert refused.value.retry_after >= 1
    assert Message.objects.count() == services.SEND_LIMIT


def test_the_message_notification_kind_is_registered_by_the_social_hook():
    from apps.core.platform import registry

    assert "social.message" in {kind.name for kind in registry().notification_kinds}


def test_a_block_takes_the_pairs_conversation_out_of_the_inbox_and_the_counts(pair, ana, ben):
    services.message_send(sender=ben, conversation=pair, body="Hi")
    group = conversation_between(ana, ben, person())
    services.message_send(sender=ben, conversation=group, body="In the group")

    BlockFactory(blocker=ana, blocked=ben)
    services.pagecache.invalidate(services.unread_namespace(ana.pk))  # as the block's service would

    assert [row.conversation_id for row in selectors.inbox_for_user(user=ana)] == [group.pk]
    assert selectors.unread_total_for_user(ana) == 1  # the group's message still counts


def test_starting_too_many_conversations_is_refused_but_reopening_one_is_free(ana, ben, monkeypatch):
    monkeypatch.setattr(services, "START_LIMIT", 2)
    monkeypatch.setattr(services, "START_WINDOW", 3600)
    services.conversation_start(starter=ana, others=[ben])
    services.conversation_start(starter=ana, others=[person()])

    for _ in range(3):
        services.conversation_start(starter=ana, others=[ben])
    with pytest.raises(services.MessageRateLimited):
        services.conversation_start(starter=ana, others=[person()])
    assert Conversation.objects.count() == 2
