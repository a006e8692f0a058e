"""Reads of notifications and preferences: always one person's own, one query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, QuerySet

from apps.core.notifications.models import Notification, NotificationPreference
from apps.core.notifications.registry import NotificationKind, kind_of, kinds


def notification_list_for_user(user: Any, *, domain: str = "", unread: bool = False) -> QuerySet[Notification]:
    """``user``'s notifications shown in the app, newest change first, with their newest actor."""
    queryset = Notification.objects.filter(recipient=user, in_app=True).select_related("actor")
    if domain:
        queryset = queryset.filter(domain=domain)
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def notification_get_for_user(user: Any, notification_id: int) -> Notification | None:
    """One of ``user``'s own notifications, or None (someone else's is as good as missing)."""
    return notification_list_for_user(user).filter(pk=notification_id).first()


def notification_unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread (the bell)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def notification_unread_state(user_id: int) -> tuple[int, datetime | None]:
    """The unread count and the newest unread change, in one query on the unread index: the
    socket's poll pushes when either moves (a new event on a grouped row changes only the time)."""
    row = Notification.objects.filter(recipient_id=user_id, in_app=True, read_at__isnull=True).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return row["count"], row["latest"]


def actors_text(notification: Notification) -> str:
    """ "Ana", or "Ana and 3 others": the newest actor by name, the rest counted."""
    name = notification.actor.get_short_name() if notification.actor is not None else "Someone"
    others = max(len(notification.actor_ids or []) - 1, 0)
    if others == 0:
        return name
    return f"{name} and {others} other{'s' if others > 1 else ''}"


def notification_text(notification: Notification) -> str:
    """The sentence a grouped notification reads as, from its kind's templates."""
    kind = kind_of(notification.kind)
    if kind is None:  # a kind whose app is gone: still readable
        return notification.target_label
    return kind.sentence(actors=actors_text(notification), count=notification.count, target=notification.target_label)


@dataclass(frozen=True)
class Choice:
    """One kind's channels for one person: their own choice, or the kind's defaults."""

    kind: NotificationKind
    in_app: bool
    email: str
    is_default: bool


def preference_for(user_id: int, kind: NotificationKind) -> Choice:
    """``user_id``'s channels for ``kind``."""
    row = NotificationPreference.objects.filter(user_id=user_id, kind=kind.name).first()
    if row is None:
        return Choice(kind, kind.in_app, kind.email, True)
    return Choice(kind, row.in_app, row.email, False)


def preference_list_for_user(user: Any, *, domain: str = "") -> list[Choice]:
    """Every registered kind that concerns ``user`` (of ``domain`` if given) with their channels,
    in one query."""
    rows = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    choices = []
    for kind in kinds():
        if (domain and kind.domain != domain) or not kind.concerns(user):
            continue
        row = rows.get(kind.name)
        if row is None:
            choices.append(Choice(kind, kind.in_app, kind.email, True))
        else:
            choices.append(Choice(kind, row.in_app, row.email, False))
    return choices
