"""What people may report on the social network, declared in its hook for core's moderation
queue: posts, accounts (profiles) and direct messages, each with who may report it, how the
queue shows it and the staff actions it offers (apps/social/services/moderation.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from apps.core.platform import Reportable, ReportAction
from apps.social import permissions
from apps.social.models import Message, Post, Profile
from apps.social.services import moderation


def _posts(ids: list[int]) -> Mapping[int, Post]:
    return Post.objects.select_related("author", "author__social_profile").in_bulk(ids)


def _profiles(ids: list[int]) -> Mapping[int, Profile]:
    return Profile.objects.select_related("user").in_bulk(ids)


def _messages(ids: list[int]) -> Mapping[int, Message]:
    return Message.objects.select_related("sender", "sender__social_profile", "conversation").in_bulk(ids)


def _author_profile(post: Post) -> Profile | None:
    return getattr(post.author, "social_profile", None)


def _on_author(service: Any) -> Any:
    def act(*, target: Post, moderator: Any, note: str = "") -> Any:
        return service(target=target.author, moderator=moderator, note=note)

    return act


def _on_sender(service: Any) -> Any:
    def act(*, target: Message, moderator: Any, note: str = "") -> Any:
        return service(target=target.sender, moderator=moderator, note=note)

    return act


def _profile_flag(name: str, value: bool, of: Any = lambda obj: obj) -> Any:
    def applies(obj: Any) -> bool:
        profile = of(obj)
        return profile is not None and (getattr(profile, f"{name}_at") is not None) == value

    return applies


def _sender_profile(message: Message) -> Profile | None:
    return getattr(message.sender, "social_profile", None) if message.sender_id else None


POST = Reportable(
    kind="social.post",
    label="Posts",
    load_many=_posts,
    can_moderate=permissions.can_moderate_social,
    can_report=permissions.can_report_post,
    template="social/moderation/_queue_post.html",
    context_of=lambda post: {"post": post, "profile": _author_profile(post)},
    url_of=lambda post: reverse("social:post", args=[post.pk]),
    title_of=lambda post: post.text[:60] or f"post {post.pk}",
    actions=(
        ReportAction("remove", "Remove the post", moderation.post_remove, lambda post: not post.is_deleted, "danger"),
        ReportAction("release", "Release (publish)", moderation.post_release, lambda post: post.held_at is not None),
        ReportAction(
            "silence",
            "Silence the author",
            _on_author(moderation.profile_silence),
            _profile_flag("silenced", False, _author_profile),
        ),
        ReportAction(
            "suspend",
            "Suspend the author",
            _on_author(moderation.profile_suspend),
            _profile_flag("suspended", False, _author_profile),
            "danger",
        ),
    ),
)

ACCOUNT = Reportable(
    kind="social.account",
    label="Accounts",
    load_many=_profiles,
    can_moderate=permissions.can_moderate_social,
    can_report=permissions.can_report_profile,
    template="social/moderation/_queue_account.html",
    context_of=lambda profile: {"profile": profile},
    url_of=lambda profile: profile.get_absolute_url(),
    title_of=lambda profile: f"@{profile.handle}",
    actions=(
        ReportAction("silence", "Silence", moderation.profile_silence, _profile_flag("silenced", False)),
        ReportAction("unsilence", "Unsilence", moderation.profile_unsilence, _profile_flag("silenced", True)),
        ReportAction("suspend", "Suspend", moderation.profile_suspend, _profile_flag("suspended", False), "danger"),
        ReportAction("unsuspend", "Unsuspend", moderation.profile_unsuspend, _profile_flag("suspended", True)),
    ),
)

MESSAGE = Reportable(
    kind="social.message",
    label="Messages",
    load_many=_messages,
    can_moderate=permissions.can_moderate_social,
    can_report=permissions.can_report_message,
    template="social/moderation/_queue_message.html",
    context_of=lambda message: {"message": message, "profile": _sender_profile(message)},
    title_of=lambda message: message.body[:60] or f"message {message.pk}",
    actions=(
        ReportAction(
            "suspend",
            "Suspend the sender",
            _on_sender(moderation.profile_suspend),
            _profile_flag("suspended", False, _sender_profile),
            "danger",
        ),
    ),
)

REPORTABLES: tuple[Reportable, ...] = (POST, ACCOUNT, MESSAGE)
