"""Reads of direct messages, for pages, the header and the socket alike: each filtered to what
the reader may see (conversations they are in and have not left) and prefetched, so a page's
query count does not grow with its rows.

Threads page by cursor: ``message_page(before=<id>)`` is "the newest ``size`` messages older
than that id", one range scan of the (conversation, -id) index however deep the reader goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, Lower

from apps.core.platform import pagecache
from apps.social.models import Block, Message, Participant, Profile
from apps.social.models.messages import pair_key
from apps.social.services.messages import unread_namespace

PAGE_SIZE = 30  # messages on a thread's page
INBOX_SIZE = 30  # conversations on an inbox page


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]  # oldest first, as the thread shows them
    older: int | None  # the cursor of "load older" (None: this is the beginning)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def participation_get(*, user: Any, conversation_id: int) -> Participant | None:
    """``user``'s active place in a conversation, with the conversation; None if they are not in
    it (or left it, or it does not exist)."""
    if not _signed_in(user):
        return None
    return (
        Participant.objects.select_related("conversation")
        .filter(user_id=user.pk, conversation_id=conversation_id, left_at__isnull=True)
        .first()
    )


def people_of(conversation_id: int) -> list[Participant]:
    """Everyone still in a conversation, with their accounts and profiles (one query)."""
    return list(
        Participant.objects.filter(conversation_id=conversation_id, left_at__isnull=True)
        .select_related("user", "user__social_profile")
        .order_by("pk")
    )


def _blocked_pair_keys(user: Any) -> QuerySet[Block]:
    # A block ends a one-to-one conversation: it leaves the inbox and the counts. The pair keys
    # of the user's blocks as a subquery ("<low id>:<high id>", as models.pair_key writes them),
    # so excluding them costs no query of its own.
    ids = (
        Cast(Least("blocker_id", "blocked_id"), CharField()),
        Cast(Greatest("blocker_id", "blocked_id"), CharField()),
    )
    return (
        Block.objects.filter(Q(blocker_id=user.pk) | Q(blocked_id=user.pk))
        .annotate(key=Concat(ids[0], Value(":"), ids[1], output_field=CharField()))
        .values("key")
    )


def _unread_of(user_id: int) -> Subquery:
    # Unread for one participant row: the conversation's messages past their receipt, not theirs.
    return Subquery(
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            pk__gt=OuterRef("last_read_message_id"),
            deleted_at__isnull=True,
        )
        .exclude(sender_id=user_id)
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def inbox_for_user(*, user: Any, requests: bool = False) -> QuerySet[Participant]:
    """``user``'s conversations (their accepted ones, or the requests waiting for them), newest
    activity first: each row a Participant with ``unread`` (messages they have not read), its
    conversation, the conversation's last message and sender, and everyone in it
    (``conversation.people``). One-to-one conversations with a block between the two are left
    out. Three queries whatever the number of rows."""
    if not _signed_in(user):
        return Participant.objects.none()
    state = Participant.State.REQUEST if requests else Participant.State.ACCEPTED
    people = Prefetch(
        "conversation__participants",
        queryset=Participant.objects.filter(left_at__isnull=True).select_related("user", "user__social_profile"),
        to_attr="people",
    )
    return (
        Participant.objects.filter(user_id=user.pk, state=state, left_at__isnull=True)
        .exclude(conversation__pair_key__in=_blocked_pair_keys(user))
        .select_related(
            "conversation",
            "conversation__last_message",
            "conversation__last_message__sender",
            # The last message's sender is named by handle (the API's inbox rows).
            "conversation__last_message__sender__social_profile",
        )
        .annotate(unread=Coalesce(_unread_of(user.pk), 0))
        .prefetch_related(people)
        .order_by("-conversation__last_activity_at", "-conversation_id")
    )


def message_page(*, conversation_id: int, before: int | None = None, size: int = PAGE_SIZE) -> MessagePage:
    """The newest ``size`` messages of a conversation older than ``before`` (all when None), with
    their senders; and the cursor of the page before them. One query."""
    rows = Message.objects.filter(conversation_id=conversation_id).select_related("sender").order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows[: size + 1])
    older = found[size - 1].pk if len(found) > size else None
    return MessagePage(messages=list(reversed(found[:size])), older=older)


def message_get_for_user(*, user: Any, conversation_id: int, message_id: int) -> Message | None:
    """One message of a conversation ``user`` is in (what the socket's readers fetch)."""
    if not _signed_in(user):
        return None
    return (
        Message.objects.select_related("sender", "conversation")
        .filter(
            pk=message_id,
            conversation_id=conversation_id,
            conversation__participants__user_id=user.pk,
            conversation__participants__left_at__isnull=True,
        )
        .first()
    )


def _unread_total(user: Any) -> int:
    user_id = user.pk
    return (
        Message.objects.filter(
            conversation__participants__user_id=user_id,
            conversation__participants__state=Participant.State.ACCEPTED,
            conversation__participants__left_at__isnull=True,
            pk__gt=F("conversation__participants__last_read_message_id"),
            deleted_at__isnull=True,
        )
        .exclude(sender_id=user_id)
        .exclude(conversation__pair_key__in=_blocked_pair_keys(user))
        .count()
    )


def unread_total_for_user(user: Any) -> int:
    """Messages ``user`` has not read in their accepted conversations (the header's count): one
    page-cache read when warm, cleared by every service that changes it."""
    if not _signed_in(user):
        return 0
    return pagecache.cached(unread_namespace(user.pk), "unread", lambda: _unread_total(user))


def request_count_for_user(user: Any) -> int:
    """How many message requests wait for ``user`` (the "Requests" tab's number)."""
    if not _signed_in(user):
        return 0
    return (
        Participant.objects.filter(user_id=user.pk, state=Participant.State.REQUEST, left_at__isnull=True)
        .exclude(conversation__pair_key__in=_blocked_pair_keys(user))
        .count()
    )


def people_by_handles(handles: list[str]) -> tuple[list[Any], list[str]]:
    """The accounts of ``handles`` (whatever their case) and the handles that name nobody."""
    wanted = {handle.lower(): handle for handle in handles}
    found = {
        profile.handle.lower(): profile.user
        # Lower(handle) is what the unique index holds: one index look-up per handle.
        for profile in Profile.objects.annotate(lower=Lower("handle"))
        .filter(lower__in=list(wanted))
        .select_related("user")
    }
    missing = [original for lower, original in wanted.items() if lower not in found]
    return [found[lower] for lower in wanted if lower in found], missing


def pair_conversation_id(*, user: Any, other: Any) -> int | None:
    """The id of ``user``'s one-to-one conversation with ``other`` if they are in it (not left)."""
    if not _signed_in(user) or other.pk == user.pk:
        return None
    return (
        Participant.objects.filter(
            user_id=user.pk, left_at__isnull=True, conversation__pair_key=pair_key(user.pk, other.pk)
        )
        .values_list("conversation_id", flat=True)
        .first()
    )
