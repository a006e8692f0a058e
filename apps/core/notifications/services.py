"""Every write of notifications: telling someone (grouped), reading, preferences, unsubscribing
and the digests.

``notify`` is what domain subscribers call, on whatever process runs them (a Celery worker once
events are durable): it writes in one transaction, and the email (``mail.send_later``) and the
bell's push (``realtime.notify_user``) leave only when that transaction commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.core.models import User
from apps.core.notifications import selectors
from apps.core.notifications.models import Notification, NotificationPreference
from apps.core.notifications.registry import Email, NotificationKind, kind_of
from apps.core.platform import mail, realtime

# How many distinct actors a grouped row remembers ("Ana and 49 others" at most).
MAX_ACTORS = 50
UNSUBSCRIBE_SALT = "core.notifications.unsubscribe"
# The bell's live message on the user's socket (ws/notifications/).
UNREAD_MESSAGE = "notifications.unread"


def _kind(name: str) -> NotificationKind:
    kind = kind_of(name)
    if kind is None:
        raise ValueError(f"No app registered the notification kind {name!r}.")
    return kind


def _check_target(url: str) -> str:
    # Targets are the platform's own pages: a path, never another site (the open link redirects).
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        raise ValueError(f"A notification's target is a path on this site, not {url!r}.")
    return url


def notify(
    *,
    recipient_id: int,
    kind: str,
    group: str,
    target_url: str,
    target_label: str,
    actor_id: int | None = None,
) -> Notification | None:
    """Tell ``recipient_id`` about one event of ``kind`` on the thing ``group`` names.

    While their notification of that group is unread it is updated (one more event, ``actor_id``
    first among its actors); otherwise a new one starts. Their choices for the kind decide whether
    it shows in the app and how it is emailed (at once: queued now; a digest: the digest task
    collects it). None when they are inactive, or want neither.
    """
    spec = _kind(kind)
    _check_target(target_url)
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None or recipient_id == actor_id:
        return None
    choice = selectors.preference_for(recipient_id, spec)
    if not choice.in_app and choice.email == Email.OFF:
        return None
    with transaction.atomic():
        notification = _record(recipient, spec, choice, group, target_url, target_label[:200], actor_id)
        if choice.email == Email.INSTANT:
            _email_instantly(notification)
        if choice.in_app:
            push_unread(recipient_id)
    return notification


def _record(
    recipient: User,
    kind: NotificationKind,
    choice: selectors.Choice,
    group: str,
    target_url: str,
    target_label: str,
    actor_id: int | None,
) -> Notification:
    now = timezone.now()
    group_key = f"{kind.name}:{group}"[:200]
    for _ in range(2):
        row = (
            Notification.objects.select_for_update()
            .filter(recipient=recipient, group_key=group_key, read_at__isnull=True)
            .first()
        )
        if row is not None:
            if actor_id is not None:
                row.actor_id = actor_id
                row.actor_ids = [actor_id, *(pk for pk in row.actor_ids if pk != actor_id)][:MAX_ACTORS]
            row.count += 1
            row.target_url, row.target_label, row.updated_at = target_url, target_label, now
            row.in_app, row.email = choice.in_app, choice.email
            # New activity on a row a digest already carried goes into the next digest.
            row.emailed_at = None
            row.save()
            return row
        try:
            # A savepoint: the other writer of the same group may win the unique constraint.
            with transaction.atomic():
                return Notification.objects.create(
                    recipient=recipient,
                    kind=kind.name,
                    domain=kind.domain,
                    group_key=group_key,
                    actor_id=actor_id,
                    actor_ids=[actor_id] if actor_id is not None else [],
                    target_url=target_url,
                    target_label=target_label,
                    in_app=choice.in_app,
                    email=choice.email,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            continue  # the row now exists: update it
    raise RuntimeError(f"could not record a notification for group {group_key!r}")


def push_unread(user_id: int) -> None:
    """Send ``user_id``'s unread count to their open sockets once the transaction commits."""
    count, _ = selectors.notification_unread_state(user_id)
    realtime.notify_user(user_id, kind=UNREAD_MESSAGE, data={"unread": count})


# --- Reading --------------------------------------------------------------------------------


def notification_mark_read(*, user: Any, notification: Notification) -> Notification:
    """``user`` has read their ``notification`` (again: nothing changes)."""
    if notification.recipient_id != user.pk:
        raise ValidationError("That notification is not yours.", code="not_yours")
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
            push_unread(user.pk)
    return notification


def notification_mark_all_read(*, user: Any, domain: str = "") -> int:
    """Mark every unread notification of ``user`` (of ``domain`` if given) read; how many were."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if domain:
            unread = unread.filter(domain=domain)
        changed = unread.update(read_at=timezone.now())
        if changed:
            push_unread(user.pk)
    return changed


# --- Preferences ----------------------------------------------------------------------------


def preference_set(*, user: Any, kind: str, in_app: bool, email: str) -> NotificationPreference:
    """``user``'s channels for ``kind``; their notifications still waiting for an email follow."""
    spec = kind_of(kind)
    if spec is None:
        raise ValidationError(f"There is no kind of notification called “{kind}”.", code="unknown_kind")
    if email not in Email.VALUES:
        raise ValidationError(f"Choose one of: {', '.join(sorted(Email.VALUES))}.", code="bad_email")
    with transaction.atomic():
        row, _ = NotificationPreference.objects.update_or_create(
            user=user, kind=spec.name, defaults={"in_app": bool(in_app), "email": email}
        )
        Notification.objects.filter(recipient=user, kind=spec.name, emailed_at__isnull=True).exclude(
            email=Email.INSTANT
        ).update(email=email if email != Email.INSTANT else Email.OFF)
    return row


def unsubscribe_token(user_id: int, kinds: Iterable[str]) -> str:
    """A signed token that turns off email for ``kinds`` for ``user_id``, with no sign-in."""
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, list[NotificationKind]] | None:
    """The person and the registered kinds a token names, or None for a bad or stale token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, names = int(data["u"]), [str(name) for name in data["k"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_id).first()
    specs = [spec for name in names if (spec := kind_of(name)) is not None]
    if user is None or not specs:
        return None
    return user, specs


def unsubscribe(*, user: Any, kinds: Iterable[NotificationKind]) -> None:
    """No more email of ``kinds`` for ``user``; the in-app choice stays as it was."""
    for spec in kinds:
        choice = selectors.preference_for(user.pk, spec)
        preference_set(user=user, kind=spec.name, in_app=choice.in_app, email=Email.OFF)


# --- Email ----------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _headers(unsubscribe_url: str) -> dict[str, str]:
    # RFC 8058: mail clients offer "Unsubscribe" and POST it to the link directly.
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def notification_email(recipient: User, subject: str, items: list[Notification], template: str) -> dict[str, Any]:
    """The email about ``items`` for ``recipient`` (``mail.send_later``'s arguments), with its
    signed one-click unsubscribe link for the kinds it carries, in its text and its headers."""
    token = unsubscribe_token(recipient.pk, {item.kind for item in items})
    unsubscribe_url = _absolute(reverse("notifications:unsubscribe", args=[token]))
    lines = [
        {
            "text": selectors.notification_text(item),
            "url": _absolute(reverse("notifications:open", args=[item.pk])),
        }
        for item in items
    ]
    context = {
        "site_name": settings.SITE_NAME,
        "items": lines,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": _absolute(reverse("notifications:preferences")),
        "kinds": sorted({spec.label for item in items if (spec := kind_of(item.kind)) is not None}),
    }
    return {
        "to": recipient.email,
        "subject": subject,
        "body": render_to_string(f"notifications/{template}.txt", context),
        "html": render_to_string(f"notifications/{template}.html", context),
        "headers": _headers(unsubscribe_url),
    }


def _email_instantly(notification: Notification) -> None:
    notification.emailed_at = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=notification.emailed_at)
    subject = selectors.notification_text(notification)[:150]
    mail.send_later(**notification_email(notification.recipient, subject, [notification], "email"))


def digest_send(*, frequency: str, batch: int = 500) -> int:
    """Email each person who chose the ``frequency`` digest what waits for it, one email each;
    how many emails were queued. Rows are locked (SKIP LOCKED) and marked emailed in the same
    transaction that queues the emails, so two runs at once never send a row twice."""
    if frequency not in Email.DIGESTS:
        raise ValueError(f"No digest is called {frequency!r}.")
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(email=frequency, emailed_at__isnull=True)
            .select_related("recipient", "actor")
            .order_by("recipient_id", "-updated_at")[:batch]
        )
        if not rows:
            return 0
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
        by_recipient: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            by_recipient[row.recipient_id].append(row)
        period = "today" if frequency == Email.DAILY else "this week"
        for items in by_recipient.values():
            recipient = items[0].recipient
            if not recipient.is_active:
                continue
            subject = f"{settings.SITE_NAME}: {len(items)} notification{'s' if len(items) > 1 else ''} {period}"
            mail.send_later(**notification_email(recipient, subject, items, "digest"))
    return len(by_recipient)


def notifications_prune(*, older_than_days: int | None = None) -> int:
    """Delete notifications read more than ``older_than_days`` (NOTIFICATIONS_RETENTION_DAYS)
    ago; unread ones stay whatever their age. Safe to run twice at once: a repeat finds nothing."""
    days = settings.NOTIFICATIONS_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted
