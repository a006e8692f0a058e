"""Every write of direct messages: starting a conversation, sending, editing and deleting a
message, reading, accepting or declining a request, leaving.

Each service is atomic, checks its rule once (raising PermissionDenied for who may not, and
ValidationError for what is wrong with the input) and, on commit, broadcasts only ids to the
conversation's sockets (``realtime.broadcast``) and drops the cached unread counts of those whose
count changed. Messages are rate-limited per sender (``SEND_LIMIT`` per ``SEND_WINDOW`` seconds).

Rules:
- A block between two people ends their one-to-one conversation: neither may start, send,
  accept or read it live (the socket refuses). A group cannot be started with someone the
  starter blocked or was blocked by; inside a group a later block hides nothing (the group is
  everyone's), each may leave.
- Recipients who do not follow the starter get the conversation as a request ("Requests" tab):
  they read it, and accept (it joins their inbox, they may reply) or decline (they leave it).
  Notifications go to accepted participants only, and not to anyone who muted the sender.
- Only the sender edits or deletes a message, and edits only within ``EDIT_WINDOW`` (15
  minutes) of sending: long enough to fix a typo, short enough that a reply stays about what
  was answered. A delete keeps the row (body and image cleared, ``deleted_at`` set).
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.core.accounts import rate_limited
from apps.core.notifications import notify
from apps.core.platform import encode_clean, open_upright, pagecache, validate_image
from apps.social import permissions, realtime, relations, wordfilter
from apps.social.models import Conversation, Message, Mute, Participant
from apps.social.models.messages import GROUP_MAX, MESSAGE_MAX_CHARS, TITLE_MAX, pair_key
from apps.social.notifications import MESSAGE as MESSAGE_KIND
from apps.social.wordfilter import KIND_MESSAGE

EDIT_WINDOW = timedelta(minutes=15)
SEND_LIMIT, SEND_WINDOW = 30, 60  # messages per sender per minute
START_LIMIT, START_WINDOW = 20, 3600  # new conversations per starter per hour
IMAGE_MAX_SIDE = 1600


class MessageRateLimited(ValidationError):
    """Too many messages in a short time; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, retry_after: int) -> None:
        unit = "second" if retry_after == 1 else "seconds"
        super().__init__(f"You are sending too fast. Please wait {retry_after} {unit}.", code="rate_limited")
        self.retry_after = retry_after


def unread_namespace(user_id: int) -> str:
    """The page-cache namespace of one person's unread counts (selectors read it, services clear it)."""
    return f"social-dm-{int(user_id)}"


def forget_unread(user_ids: Sequence[int]) -> None:
    """These people's cached unread counts are read afresh (after a write, or a block that hides
    a conversation from their inboxes)."""
    for user_id in set(user_ids):
        pagecache.invalidate(unread_namespace(user_id))


def _check_rate(user: Any, *, scope: str, limit: int, window: int) -> None:
    if rate_limited(scope=scope, key=str(user.pk), limit=limit, window=window):
        raise MessageRateLimited(retry_after=max(1, math.ceil(window - time.time() % window)))


def _active(conversation: Conversation) -> list[Participant]:
    return list(conversation.participants.filter(left_at__isnull=True).select_related("user"))


def conversation_blocked(conversation: Conversation, user: Any) -> bool:
    """Whether a block stands between ``user`` and the other person of a one-to-one conversation
    (pages hide the form, the socket refuses; groups are never blocked as a whole)."""
    if conversation.is_group:
        return False
    low, high = (int(part) for part in (conversation.pair_key or "0:0").split(":"))
    other_id = high if low == user.pk else low
    return relations.blocked_between(user, get_user_model()(pk=other_id))  # only its id is read


def _participant(user: Any, conversation: Conversation) -> Participant:
    """``user``'s active place in ``conversation``, or PermissionDenied."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to use messages.")
    row = Participant.objects.filter(conversation=conversation, user=user, left_at__isnull=True).first()
    if row is None:
        raise PermissionDenied("You are not in this conversation.")
    return row


# --- Starting -------------------------------------------------------------------------------


def conversation_start(*, starter: Any, others: Sequence[Any], title: str = "") -> Conversation:
    """A conversation between ``starter`` and ``others`` (one other: their one-to-one conversation,
    reused if it exists, also when both start it at once; more: a new group of at most GROUP_MAX,
    with an optional ``title``). Recipients who do not follow the starter get it as a request.
    Refused (PermissionDenied) if a block stands between the starter and any of them, or the
    starter is suspended."""
    permissions.suspension_refusal(starter)
    if not getattr(starter, "is_authenticated", False) or not starter.is_active:
        raise PermissionDenied("Sign in to send messages.")
    people = {other.pk: other for other in others if other.pk != starter.pk}
    if not people:
        raise ValidationError({"to": "Choose at least one person other than yourself."})
    if len(people) + 1 > GROUP_MAX:
        raise ValidationError({"to": f"A conversation has at most {GROUP_MAX} people, you included."})
    if any(not other.is_active for other in people.values()):
        raise ValidationError({"to": "One of these accounts is not active."})
    if relations.blocked_ids(starter) & people.keys():
        raise PermissionDenied("You cannot message someone you blocked or who blocked you.")
    followers = relations.follower_ids(starter)

    def state_of(user_id: int) -> str:
        return Participant.State.ACCEPTED if user_id in followers else Participant.State.REQUEST

    title = " ".join(title.split())[:TITLE_MAX]
    if len(people) == 1:
        return _pair_start(starter, next(iter(people.values())), state_of)
    _check_start_rate(starter)
    with transaction.atomic():
        conversation = Conversation.objects.create(created_by=starter, is_group=True, title=title)
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user=starter, state=Participant.State.ACCEPTED)]
            + [Participant(conversation=conversation, user_id=pk, state=state_of(pk)) for pk in people]
        )
        forget_unread([starter.pk, *people])
    return conversation


def _check_start_rate(starter: Any) -> None:
    _check_rate(starter, scope="social-dm-start", limit=START_LIMIT, window=START_WINDOW)


def _pair_start(starter: Any, other: Any, state_of: Any) -> Conversation:
    key = pair_key(starter.pk, other.pk)
    conversation = Conversation.objects.filter(pair_key=key).first()
    if conversation is None:
        _check_start_rate(starter)  # only a new conversation counts: reopening one is free
        try:
            # A savepoint: the loser of two racing starts reads the winner's row afterwards.
            with transaction.atomic():
                conversation = Conversation.objects.create(created_by=starter, is_group=False, pair_key=key)
                Participant.objects.bulk_create(
                    [
                        Participant(conversation=conversation, user=starter, state=Participant.State.ACCEPTED),
                        Participant(conversation=conversation, user=other, state=state_of(other.pk)),
                    ]
                )
        except IntegrityError:
            conversation = Conversation.objects.get(pair_key=key)
    with transaction.atomic():
        # Whoever had left (or declined) is back: the starter accepted, the other as they would be
        # for a new conversation. Rows are locked in id order so two restarts cannot deadlock.
        rows = list(conversation.participants.select_for_update().order_by("pk"))
        for row in rows:
            if row.left_at is None:
                continue
            row.left_at = None
            row.state = Participant.State.ACCEPTED if row.user_id == starter.pk else state_of(row.user_id)
            row.save(update_fields=["left_at", "state"])
        forget_unread([row.user_id for row in rows])
    return conversation


# --- Messages -------------------------------------------------------------------------------


def _clean_body(body: str, *, has_image: bool) -> str:
    body = (body or "").strip()
    if len(body) > MESSAGE_MAX_CHARS:
        raise ValidationError({"body": f"A message is at most {MESSAGE_MAX_CHARS} characters."})
    if not body and not has_image:
        raise ValidationError({"body": "Write a message or add an image."})
    return body


def _store_image(upload: UploadedFile) -> ContentFile:
    """The upload's pixels only (no EXIF, upright), at most IMAGE_MAX_SIDE a side, under a random name."""
    try:
        suffix = validate_image(upload)
        image, transparent = open_upright(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    content, suffix = encode_clean(image, suffix=suffix, transparent=transparent)
    return ContentFile(content, name=f"{uuid.uuid4().hex}{suffix}")


def message_send(*, sender: Any, conversation: Conversation, body: str, image: UploadedFile | None = None) -> Message:
    """Send ``body`` (and optionally an image, re-encoded) to ``conversation``. The sender must be
    an accepted, active participant, and no block may stand between the two of a one-to-one
    conversation. Broadcasts ``message.new`` on commit; notifies the other accepted participants."""
    permissions.suspension_refusal(sender)
    me = _participant(sender, conversation)
    if me.state != Participant.State.ACCEPTED:
        raise PermissionDenied("Accept this message request before replying.")
    if conversation_blocked(conversation, sender):
        raise PermissionDenied("You cannot message this person.")
    body = _clean_body(body, has_image=image is not None)
    verdict = wordfilter.check(body, field="body")
    _check_rate(sender, scope="social-dm-send", limit=SEND_LIMIT, window=SEND_WINDOW)
    stored = _store_image(image) if image is not None else None
    with transaction.atomic():
        message = Message(conversation=conversation, sender=sender, body=body)
        if stored is not None:
            message.image.save(stored.name, stored, save=False)
        message.save()
        if verdict.hold:  # sent (a conversation is private), but staff are asked to look at it
            wordfilter.flag_for_review(KIND_MESSAGE, message.pk, verdict)
        now = message.created_at
        # Only forward: two sends racing leave the newer one as the conversation's last.
        Conversation.objects.filter(pk=conversation.pk).filter(
            Q(last_message__isnull=True) | Q(last_message_id__lt=message.pk)
        ).update(last_message=message, last_activity_at=now)
        Participant.objects.filter(pk=me.pk, last_read_message_id__lt=message.pk).update(
            last_read_message_id=message.pk
        )
        others = list(
            conversation.participants.filter(left_at__isnull=True).exclude(user=sender).values_list("user_id", "state")
        )
        _notify(sender, conversation, [uid for uid, state in others if state == Participant.State.ACCEPTED])
        realtime.broadcast(conversation.pk, realtime.MESSAGE_NEW, message_id=message.pk, sender_id=sender.pk)
        forget_unread([sender.pk, *(uid for uid, _ in others)])
    return message


def _notify(sender: Any, conversation: Conversation, recipient_ids: list[int]) -> None:
    if not recipient_ids:
        return
    muting = set(Mute.objects.filter(muted=sender, muter_id__in=recipient_ids).values_list("muter_id", flat=True))
    url = reverse("social:message-thread", args=[conversation.pk])
    label = conversation.title or "your messages"
    for user_id in recipient_ids:
        if user_id not in muting:
            notify(
                recipient_id=user_id,
                kind=MESSAGE_KIND,
                group=f"social.message:{conversation.pk}",
                target_url=url,
                target_label=label,
                actor_id=sender.pk,
            )


def _own_message(actor: Any, message: Message) -> None:
    _participant(actor, message.conversation)
    if message.sender_id != actor.pk:
        raise PermissionDenied("Only its sender may change a message.")
    if message.is_deleted:
        raise ValidationError("This message was deleted.", code="deleted")


def message_edit(*, actor: Any, message: Message, body: str) -> Message:
    """The sender changes a message's text within EDIT_WINDOW of sending it (an image stays)."""
    _own_message(actor, message)
    if timezone.now() - message.created_at > EDIT_WINDOW:
        raise ValidationError("A message can be edited only in the first 15 minutes.", code="edit_window")
    if conversation_blocked(message.conversation, actor):
        raise PermissionDenied("You cannot message this person.")
    body = _clean_body(body, has_image=bool(message.image))
    if wordfilter.check(body, field="body").hold:
        # An edit cannot slip a held phrase in after the send: refused like a refusing phrase.
        raise ValidationError({"body": wordfilter.REFUSAL}, code="word_filter")
    with transaction.atomic():
        message.body, message.edited_at = body, timezone.now()
        message.save(update_fields=["body", "edited_at"])
        realtime.broadcast(message.conversation_id, realtime.MESSAGE_EDITED, message_id=message.pk)
    return message


def message_delete(*, actor: Any, message: Message) -> Message:
    """The sender deletes a message: its row stays as "message deleted", its text and image go
    (the file once that is committed)."""
    _own_message(actor, message)
    old = message.image.name if message.image else ""
    with transaction.atomic():
        message.body, message.deleted_at = "", timezone.now()
        message.image = ""  # type: ignore[assignment]
        message.save(update_fields=["body", "image", "deleted_at"])
        realtime.broadcast(message.conversation_id, realtime.MESSAGE_DELETED, message_id=message.pk)
        forget_unread(list(message.conversation.participants.values_list("user_id", flat=True)))
    if old:
        storage = Message._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(old), robust=True)
    return message


# --- Reading, requests, leaving ---------------------------------------------------------------


def conversation_mark_read(*, user: Any, conversation: Conversation, message_id: int | None = None) -> int:
    """``user`` has read up to ``message_id`` (the newest message when None): their read receipt
    moves forward only, never past the newest message. Returns the receipt; broadcasts ``read``
    when it moved. A request's reader leaves no receipt (the sender is not told they looked)."""
    me = _participant(user, conversation)
    if me.state != Participant.State.ACCEPTED:
        return me.last_read_message_id
    newest = Message.objects.filter(conversation=conversation).order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return me.last_read_message_id
    upto = newest if message_id is None else min(int(message_id), newest)
    with transaction.atomic():
        moved = Participant.objects.filter(pk=me.pk, last_read_message_id__lt=upto).update(last_read_message_id=upto)
        if moved:
            realtime.broadcast(conversation.pk, realtime.READ, user_id=user.pk, message_id=upto)
            forget_unread([user.pk])
    return max(upto, me.last_read_message_id)


def request_accept(*, user: Any, conversation: Conversation) -> Participant:
    """Move a message request into the inbox (the conversation becomes an ordinary one)."""
    me = _participant(user, conversation)
    if conversation_blocked(conversation, user):
        raise PermissionDenied("You cannot message this person.")
    if me.state != Participant.State.ACCEPTED:
        with transaction.atomic():
            Participant.objects.filter(pk=me.pk).update(state=Participant.State.ACCEPTED)
            forget_unread([user.pk])
        me.state = Participant.State.ACCEPTED
    return me


def request_decline(*, user: Any, conversation: Conversation) -> None:
    """Turn down a message request: the conversation leaves the requests (as leaving it would)."""
    me = _participant(user, conversation)
    if me.state != Participant.State.REQUEST:
        raise ValidationError("This conversation is not a request.", code="not_a_request")
    conversation_leave(user=user, conversation=conversation)


def conversation_leave(*, user: Any, conversation: Conversation) -> None:
    """``user`` leaves: the conversation goes from their inbox and their socket is refused. A
    one-to-one conversation comes back if either starts it again."""
    me = _participant(user, conversation)
    with transaction.atomic():
        Participant.objects.filter(pk=me.pk).update(left_at=timezone.now())
        forget_unread([user.pk])
