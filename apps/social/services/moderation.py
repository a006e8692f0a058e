"""Staff's actions on what people report (core's moderation queue calls them through the
reportable kinds in apps/social/reportables.py; a staff member may also take them from a
profile): remove a post, release a post the word filter held, silence or suspend an account and
undo either.

Each is atomic, checks ``permissions.can_moderate_social`` once, locks the row it changes,
records who, when and why (on the profile, and as a domain event in the activity log), and tells
the person concerned through the notification centre (never naming the staff member). Undoing
what is not in force, or doing again what is, raises ValidationError and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.notifications import notify
from apps.core.platform import events
from apps.social import permissions
from apps.social.models import Post, Profile
from apps.social.notifications import MODERATION
from apps.social.services import posts as post_services

REASON_MAX = 1000


@dataclass(frozen=True, kw_only=True)
class AccountModerated(events.DomainEvent):
    name: ClassVar[str] = "social.account_moderated"
    aggregate: ClassVar[str] = "social.profile:{user_id}"
    user_id: int
    action: str  # silence, unsilence, suspend, unsuspend
    reason: str


@dataclass(frozen=True, kw_only=True)
class PostModerated(events.DomainEvent):
    name: ClassVar[str] = "social.post_moderated"
    aggregate: ClassVar[str] = "social.post:{post_id}"
    post_id: int
    author_id: int
    action: str  # remove, release
    reason: str


def _staff(moderator: Any) -> None:
    if not permissions.can_moderate_social(moderator):
        raise PermissionDenied("Only staff moderate the social network.")


def _reason(note: str) -> str:
    note = (note or "").strip()
    if len(note) > REASON_MAX or "\x00" in note:
        raise ValidationError({"note": f"A reason is at most {REASON_MAX} characters of plain text."})
    return note


def _tell(user_id: int, sentence: str, url: str) -> None:
    notify(
        recipient_id=user_id,
        kind=MODERATION,
        group=f"{MODERATION}:{user_id}:{sentence}",
        target_url=url,
        target_label=sentence,
    )


# --- Posts ---------------------------------------------------------------------------------------


@transaction.atomic
def post_remove(*, target: Post, moderator: Any, note: str = "") -> Post:
    """Take a post down: the post removal service deletes it (a tombstone in its thread, gone from
    every timeline at once: ``timelines.post_removed``); its author is told why."""
    _staff(moderator)
    reason = _reason(note)
    if target.is_deleted:
        raise ValidationError("This post is already gone.", code="gone")
    post = post_services.post_delete(actor=moderator, post=target)
    events.publish(
        PostModerated(post_id=post.pk, author_id=post.author_id, action="remove", reason=reason, actor_id=moderator.pk)
    )
    sentence = "Staff removed a post of yours" + (f": {reason}" if reason else "")
    _tell(post.author_id, sentence[:200], reverse("social:post", args=[post.pk]))
    return post


@transaction.atomic
def post_release(*, target: Post, moderator: Any, note: str = "") -> Post:
    """Publish a post the word filter held: its readers see it from now on."""
    _staff(moderator)
    reason = _reason(note)
    post = Post.objects.select_for_update().get(pk=target.pk)
    if post.held_at is None or post.is_deleted:
        raise ValidationError("This post is not held.", code="not_held")
    post.held_at = None
    post.save(update_fields=["held_at"])
    events.publish(
        PostModerated(post_id=post.pk, author_id=post.author_id, action="release", reason=reason, actor_id=moderator.pk)
    )
    return post


# --- Accounts ------------------------------------------------------------------------------------


def _locked_profile(target: Profile | Any) -> Profile:
    user_id = target.user_id if isinstance(target, Profile) else target.pk
    return Profile.objects.select_for_update().select_related("user").get(user_id=user_id)


def _account_change(target: Any, moderator: Any, note: str, action: str) -> Profile:
    _staff(moderator)
    reason = _reason(note)
    profile = _locked_profile(target)
    if profile.user_id == moderator.pk:
        raise ValidationError("You cannot moderate your own account.", code="self")
    if action in {"silence", "suspend"} and permissions.can_moderate_social(profile.user):
        raise ValidationError("Staff accounts are not silenced or suspended here.", code="staff")
    now = timezone.now()
    field = {"silence": "silenced", "unsilence": "silenced", "suspend": "suspended", "unsuspend": "suspended"}[action]
    in_force = getattr(profile, f"{field}_at") is not None
    if action.startswith("un") != in_force:
        state = "in force" if in_force else "not in force"
        raise ValidationError(f"This account's {action.removeprefix('un')} is already {state}.", code="unchanged")
    reason_field = "silence_reason" if field == "silenced" else "suspension_reason"
    undo = action.startswith("un")
    setattr(profile, f"{field}_at", None if undo else now)
    setattr(profile, f"{field}_by", None if undo else moderator)
    setattr(profile, reason_field, "" if undo else reason)
    profile.save(update_fields=[f"{field}_at", f"{field}_by", reason_field])
    permissions.forget_suspension(profile.user)
    events.publish(AccountModerated(user_id=profile.user_id, action=action, reason=reason, actor_id=moderator.pk))
    return profile


_SENTENCES = {
    "silence": "Staff limited your account: your posts now reach only your followers",
    "unsilence": "Staff lifted the limit on your account",
    "suspend": "Staff suspended your account",
    "unsuspend": "Staff lifted the suspension of your account",
}


def _account_action(action: str) -> Any:
    def service(*, target: Any, moderator: Any, note: str = "") -> Profile:
        with transaction.atomic():
            profile = _account_change(target, moderator, note, action)
            reason = _reason(note)
            sentence = _SENTENCES[action] + (f": {reason}" if reason and not action.startswith("un") else "")
            _tell(profile.user_id, sentence[:200], profile.get_absolute_url())
        return profile

    service.__name__ = f"profile_{action}"
    service.__doc__ = f"Staff {action} an account (a Profile or its user), recording who, when and why."
    return service


profile_silence = _account_action("silence")
profile_unsilence = _account_action("unsilence")
profile_suspend = _account_action("suspend")
profile_unsuspend = _account_action("unsuspend")

ACCOUNT_ACTIONS = {
    "silence": profile_silence,
    "unsilence": profile_unsilence,
    "suspend": profile_suspend,
    "unsuspend": profile_unsuspend,
}
