"""Writes of the relations between people: follows and follow requests, blocks, mutes.

Every write between two people first locks both people's user rows, the lower id first
(``_lock_pair``), so a follow racing a block of the same pair, or twenty clicks on "Follow",
run one after the other: a follow can never outlive the block that should have ended it, and the
pair's unique constraint is the last word if anything slips past. Each change publishes its event
(apps/social/events_people.py) in the same transaction; follows and requests notify the person
followed (apps/social/notifications.py). A repeated call changes nothing and publishes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from apps.core.models import User
from apps.core.notifications import notify
from apps.core.platform import events
from apps.social import permissions, timelines
from apps.social.events_people import (
    BlockCreated,
    BlockDeleted,
    FollowAccepted,
    FollowCreated,
    FollowDeleted,
    MuteCreated,
    MuteDeleted,
    pair_of,
)
from apps.social.handles import profile_for
from apps.social.models import Block, Follow, Mute, Profile
from apps.social.notifications import FOLLOW, FOLLOW_REQUEST
from apps.social.services import messages

ACCEPTED, PENDING = Follow.State.ACCEPTED, Follow.State.PENDING


def _lock_pair(a: Any, b: Any) -> None:
    # Both people's rows, the lower id first: every pair write waits for the one before it.
    list(User.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk").values_list("pk", flat=True))


def _refuse_self(a: Any, b: Any, message: str) -> None:
    if a.pk == b.pk:
        raise ValidationError(message, code="self")


def _refuse_blocked(follower: Any, followee: Any) -> None:
    rows = set(
        Block.objects.filter(
            Q(blocker_id=follower.pk, blocked_id=followee.pk) | Q(blocker_id=followee.pk, blocked_id=follower.pk)
        ).values_list("blocker_id", flat=True)
    )
    if follower.pk in rows:
        raise ValidationError("You blocked this person: unblock them to follow them.", code="blocking")
    if rows:
        raise ValidationError("You cannot follow this person.", code="blocked")


def follow_create(*, follower: Any, followee: Any) -> Follow:
    """``follower`` follows ``followee``: at once (``accepted``) when the followee's account is
    open, as a request (``pending``) their owner approves or rejects when it is locked.

    Idempotent: following again returns the existing follow or request unchanged. Refused
    (ValidationError, nothing changed) for oneself and when either has blocked the other;
    PermissionDenied for a suspended follower."""
    permissions.suspension_refusal(follower)
    _refuse_self(follower, followee, "You cannot follow yourself.")
    profile_for(followee)  # made before the lock: a new profile is no part of the pair's write
    with transaction.atomic():
        _lock_pair(follower, followee)
        _refuse_blocked(follower, followee)
        existing = Follow.objects.filter(follower_id=follower.pk, followee_id=followee.pk).first()
        if existing is not None:
            return existing
        # Read under its lock (after the pair's, as every write takes them): an account being
        # locked or unlocked meanwhile gets a request or a follow, never a request left behind.
        followee_profile = Profile.objects.select_for_update().get(user_id=followee.pk)
        state = PENDING if followee_profile.locked else ACCEPTED
        try:
            with transaction.atomic():
                follow = Follow.objects.create(follower_id=follower.pk, followee_id=followee.pk, state=state)
        except IntegrityError:  # only without row locks (SQLite's single writer makes none needed)
            return Follow.objects.get(follower_id=follower.pk, followee_id=followee.pk)
        events.publish(
            FollowCreated(
                pair=pair_of(follower.pk, followee.pk),
                follower_id=follower.pk,
                followee_id=followee.pk,
                state=state,
                actor_id=follower.pk,
            )
        )
        _tell_followee(follower.pk, followee_profile, state)
        if state == ACCEPTED:  # their recent posts join the follower's home after commit
            timelines.follow_accepted(follower.pk, followee.pk)
    return follow


def _tell_followee(follower_id: int, followee_profile: Any, state: str) -> None:
    # Whoever muted the follower hears nothing from them (a request still waits on their page).
    if Mute.objects.filter(muter_id=followee_profile.user_id, muted_id=follower_id).exists():
        return
    if state == PENDING:
        target_url, kind, label = reverse("social:requests"), FOLLOW_REQUEST, "Follow requests"
    else:
        target_url = reverse("people:followers", args=[followee_profile.handle])
        kind, label = FOLLOW, "Your followers"
    notify(
        recipient_id=followee_profile.user_id,
        kind=kind,
        group=f"{kind}:{followee_profile.user_id}",
        target_url=target_url,
        target_label=label,
        actor_id=follower_id,
    )


def _follow_end(follower_id: int, followee_id: int, *, reason: str, actor_id: int, state: str | None = None) -> bool:
    """Delete the follow (of ``state``, or any) and publish its end; whether there was one."""
    rows = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id)
    if state is not None:
        rows = rows.filter(state=state)
    found = rows.values_list("state", flat=True).first()
    if found is None:
        return False
    rows.delete()
    if found == ACCEPTED:  # reads stop showing their posts at once; the stored ids go after commit
        timelines.follow_ended(follower_id, followee_id)
    events.publish(
        FollowDeleted(
            pair=pair_of(follower_id, followee_id),
            follower_id=follower_id,
            followee_id=followee_id,
            state=found,
            reason=reason,
            actor_id=actor_id,
        )
    )
    return True


def follow_delete(*, follower: Any, followee: Any) -> bool:
    """``follower`` stops following ``followee``, or withdraws their request. Whether there was
    anything to end (none: nothing changes)."""
    with transaction.atomic():
        _lock_pair(follower, followee)
        return _follow_end(follower.pk, followee.pk, reason="unfollowed", actor_id=follower.pk)


def follow_request_approve(*, owner: Any, follower: Any) -> Follow:
    """The owner of a locked account lets ``follower`` in: their request becomes a follow.
    Approving an accepted follow returns it; no request at all is a ValidationError."""
    with transaction.atomic():
        _lock_pair(owner, follower)
        follow = Follow.objects.filter(follower_id=follower.pk, followee_id=owner.pk).first()
        if follow is None:
            raise ValidationError("There is no request from this person (it was withdrawn).", code="no_request")
        if follow.state == ACCEPTED:
            return follow
        follow.state = ACCEPTED
        follow.save(update_fields=["state"])
        timelines.follow_accepted(follower.pk, owner.pk)
        events.publish(
            FollowAccepted(
                pair=pair_of(owner.pk, follower.pk), follower_id=follower.pk, followee_id=owner.pk, actor_id=owner.pk
            )
        )
    return follow


def follow_request_reject(*, owner: Any, follower: Any) -> bool:
    """The owner of a locked account turns ``follower``'s request down (the request ends; they
    may ask again). An accepted follow is left alone: that is removing a follower. Whether there
    was a request."""
    with transaction.atomic():
        _lock_pair(owner, follower)
        return _follow_end(follower.pk, owner.pk, reason="rejected", actor_id=owner.pk, state=PENDING)


def follow_requests_accept_all(*, owner: Any) -> int:
    """Every request waiting for ``owner`` becomes a follow (their account was unlocked); how
    many. Called inside the unlocking's transaction, which holds the owner's profile row."""
    with transaction.atomic():
        waiting = list(
            Follow.objects.select_for_update()
            .filter(followee_id=owner.pk, state=PENDING)
            .order_by("follower_id")
            .values_list("pk", "follower_id")
        )
        if not waiting:
            return 0
        Follow.objects.filter(pk__in=[pk for pk, _ in waiting]).update(state=ACCEPTED)
        for _, follower_id in waiting:
            timelines.follow_accepted(follower_id, owner.pk)
            events.publish(
                FollowAccepted(
                    pair=pair_of(owner.pk, follower_id),
                    follower_id=follower_id,
                    followee_id=owner.pk,
                    actor_id=owner.pk,
                )
            )
    return len(waiting)


def block_create(*, blocker: Any, blocked: Any) -> Block:
    """``blocker`` blocks ``blocked``: from now neither sees the other, and the follows and
    requests between them, both ways, end (each with its ``social.follow_deleted``, reason
    ``blocked``). Idempotent; refused for oneself."""
    _refuse_self(blocker, blocked, "You cannot block yourself.")
    with transaction.atomic():
        _lock_pair(blocker, blocked)
        existing = Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).first()
        if existing is not None:
            return existing
        block = Block.objects.create(blocker_id=blocker.pk, blocked_id=blocked.pk)
        for follower, followee in ((blocker, blocked), (blocked, blocker)):
            _follow_end(follower.pk, followee.pk, reason="blocked", actor_id=blocker.pk)
        events.publish(
            BlockCreated(
                pair=pair_of(blocker.pk, blocked.pk), blocker_id=blocker.pk, blocked_id=blocked.pk, actor_id=blocker.pk
            )
        )
        # Their conversation leaves both inboxes: the cached unread counts in their headers go too.
        messages.forget_unread((blocker.pk, blocked.pk))
    return block


def block_delete(*, blocker: Any, blocked: Any) -> bool:
    """``blocker`` lifts their block (the follows it ended stay ended). Whether there was one."""
    with transaction.atomic():
        _lock_pair(blocker, blocked)
        deleted, _ = Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).delete()
        if deleted:
            events.publish(
                BlockDeleted(
                    pair=pair_of(blocker.pk, blocked.pk),
                    blocker_id=blocker.pk,
                    blocked_id=blocked.pk,
                    actor_id=blocker.pk,
                )
            )
            messages.forget_unread((blocker.pk, blocked.pk))
    return bool(deleted)


def mute_create(*, muter: Any, muted: Any) -> Mute:
    """``muter`` stops seeing ``muted``'s posts and notifications; the muted person is not told
    and their follows stay. Idempotent; refused for oneself."""
    _refuse_self(muter, muted, "You cannot mute yourself.")
    with transaction.atomic():
        mute, created = Mute.objects.get_or_create(muter_id=muter.pk, muted_id=muted.pk)
        if created:
            events.publish(
                MuteCreated(pair=pair_of(muter.pk, muted.pk), muter_id=muter.pk, muted_id=muted.pk, actor_id=muter.pk)
            )
    return mute


def mute_delete(*, muter: Any, muted: Any) -> bool:
    """``muter`` sees ``muted`` again. Whether they had muted them."""
    with transaction.atomic():
        deleted, _ = Mute.objects.filter(muter_id=muter.pk, muted_id=muted.pk).delete()
        if deleted:
            events.publish(
                MuteDeleted(pair=pair_of(muter.pk, muted.pk), muter_id=muter.pk, muted_id=muted.pk, actor_id=muter.pk)
            )
    return bool(deleted)
