"""Every write of the publishing engine: drafts, publication, schedules, reverts, previews.

Each service locks the object's row, so two editors (or an editor and the scheduler) act one
after the other, and publishes an audit event delivered on commit. ``author=None`` means the
platform itself (the scheduler or an operator command).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.accounts import permissions
from apps.core.platform import events, pagecache
from apps.core.publishing import revisions
from apps.core.publishing.models import Publishable

logger = logging.getLogger(__name__)
P = TypeVar("P", bound=Publishable)
_PREVIEW_SALT = "core.publishing.preview"


# --- Audit events ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _ContentRef:
    # The publishable's label and id ("<app>.<model>:12"): a domain's own events about that row
    # name it alike, so subscribers see the engine's and the domain's events in one order.
    aggregate: ClassVar[str] = "{model}:{object_id}"
    model: str
    object_id: str
    revision: int | None = None


@dataclass(frozen=True, kw_only=True)
class DraftSaved(_ContentRef, events.DomainEvent):
    name: ClassVar[str] = "core.draft_saved"


@dataclass(frozen=True, kw_only=True)
class ContentPublished(_ContentRef, events.DomainEvent):
    name: ClassVar[str] = "core.content_published"


@dataclass(frozen=True, kw_only=True)
class ContentUnpublished(_ContentRef, events.DomainEvent):
    name: ClassVar[str] = "core.content_unpublished"


@dataclass(frozen=True, kw_only=True)
class ContentScheduled(_ContentRef, events.DomainEvent):
    name: ClassVar[str] = "core.content_scheduled"
    go_live_at: str | None = None
    expire_at: str | None = None


# Events after which visitors see something else: published content of any kind may show on
# any page (home sections, lists, the footer), so every cached page goes stale.
_SHOWN_TO_VISITORS = {"core.content_published", "core.content_unpublished", "core.theme_activated"}


def _audit(event_type: type[_ContentRef], obj: Publishable, author: Any, **fields: Any) -> None:
    if event_type.name in _SHOWN_TO_VISITORS:
        pagecache.invalidate(pagecache.SITE)  # now, and again when the transaction commits
    events.publish(
        event_type(
            model=obj.content_label(),
            object_id=str(obj.pk),
            actor_id=getattr(author, "pk", None),
            **fields,
        )
    )


# --- Errors ---------------------------------------------------------------------------------


class DraftConflict(ValidationError):
    """Someone saved a newer revision after this editor opened theirs. Nothing was written;
    ``content`` is the refused draft, handed back so the editor loses nothing."""

    def __init__(self, *, latest: dict[str, Any], content: dict[str, Any]) -> None:
        self.latest = latest
        self.content = content
        opened = latest["based_on_opened"]
        if "number" not in latest:
            # No revision at all (a row written directly, not through the engine): there is no
            # newer one to name, only the one the editor claims to have opened, which never was.
            message = (
                f"There is no revision {opened}: this content has no saved revision yet. Your changes "
                "were not saved: they are kept in the form; save them based on revision 0."
            )
        else:
            when = latest["created_at"].strftime("%Y-%m-%d %H:%M UTC")
            message = (
                f"Revision {latest['number']} was saved at {when} after you opened revision {opened}. "
                "Your changes were not saved: they are kept in the form; reload the latest revision "
                "to merge them."
            )
        super().__init__(message, code="conflict")


# --- Helpers --------------------------------------------------------------------------------


def _check(author: Any, allowed: bool, action: str) -> None:
    if author is not None and not allowed:
        raise PermissionDenied(f"You may not {action}.")


def _lock(obj: P) -> P:
    """The object's row, locked until the transaction ends."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _sync(target: Publishable, source: Publishable) -> None:
    # Callers keep their object; give it the state the service just wrote.
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _revision_content(obj: Publishable, number: int) -> dict[str, Any]:
    document = revisions.revision_read(obj, number)
    if document is None:
        raise ValidationError(f"Revision {number} does not exist.", code="no_revision")
    return document["content"]


def _new_revision(row: Publishable, content: dict[str, Any], author: Any, *, kind: str, message: str = "") -> int:
    number = row.latest_revision + 1
    revisions.revision_write(
        obj=row,
        number=number,
        content=content,
        author_id=getattr(author, "pk", None),
        created_at=timezone.now(),
        based_on=row.latest_revision,
        kind=kind,
        message=message,
    )
    row.latest_revision = number
    row.has_unpublished_changes = True
    row.save(update_fields=["latest_revision", "has_unpublished_changes"])
    return number


# --- Drafts -----------------------------------------------------------------------------------


def draft_create(
    *, model: type[P], content: dict[str, Any], author: Any, message: str = "", attrs: dict[str, Any] | None = None
) -> P:
    """Create a never-published object from its first draft (revision 1).

    ``attrs`` sets fields that are not content (a post's author) on the new row; the permission
    check already sees them, so ownership rules apply from the first draft."""
    probe = model(**(attrs or {}))
    _check(author, permissions.can_edit_draft(author, probe), "write drafts of this content")
    clean = probe.clean_content(content)
    with transaction.atomic():
        obj = model(**(attrs or {}))
        obj.apply_content(clean)
        obj.save()
        number = _new_revision(obj, clean, author, kind="draft", message=message)
        _audit(DraftSaved, obj, author, revision=number)
    return obj


def draft_save(*, obj: Publishable, content: dict[str, Any], author: Any, based_on: int, message: str = "") -> int:
    """Save a new revision of ``obj``'s draft; returns its number.

    ``based_on`` is the revision the editor opened. If someone saved a newer one since, the save
    is refused with DraftConflict and nothing is written, so no one overwrites anyone silently.
    Visitors keep seeing the published row.

    Content identical to the newest revision stores nothing and answers that revision's number:
    "Save and publish" right after "Save draft" then publishes the saved revision instead of
    a duplicate that the history would show as "the revisions are the same".
    """
    _check(author, permissions.can_edit_draft(author, obj), "write drafts of this content")
    clean = obj.clean_content(content)
    with transaction.atomic():
        row = _lock(obj)
        latest = revisions.revision_read(row, row.latest_revision) if row.latest_revision else None
        if based_on != row.latest_revision:
            raise DraftConflict(latest={**(latest or {}), "based_on_opened": based_on}, content=content)
        if latest is not None and latest["content"] == clean:
            _sync(obj, row)
            return row.latest_revision
        number = _new_revision(row, clean, author, kind="draft", message=message)
        _audit(DraftSaved, row, author, revision=number)
    _sync(obj, row)
    return number


def revert(*, obj: Publishable, to_revision: int, author: Any, based_on: int) -> int:
    """Make an older revision the newest draft again (a new revision; history is kept)."""
    content = _revision_content(obj, to_revision)
    return draft_save(
        obj=obj, content=content, author=author, based_on=based_on, message=f"Reverted to revision {to_revision}"
    )


# --- Publication ----------------------------------------------------------------------------


def _publish_row(row: Publishable, number: int, author: Any) -> None:
    content = _revision_content(row, number)
    row.apply_content(content)
    row.full_clean(exclude=[f.name for f in row._meta.fields if f.name not in row.content_fields])
    now = timezone.now()
    row.live = True
    row.live_revision = number
    row.first_published_at = row.first_published_at or now
    row.last_published_at = now
    row.has_unpublished_changes = number != row.latest_revision
    if row.scheduled_revision is not None and row.scheduled_revision <= number:
        row.go_live_at = row.scheduled_revision = None
    row.save()
    row.after_publish(content)
    _audit(ContentPublished, row, author, revision=number)


def publish(*, obj: Publishable, author: Any, revision: int | None = None) -> None:
    """Make a revision (the newest by default) what visitors see, at once."""
    _check(author, permissions.can_publish(author, obj), "publish this content")
    with transaction.atomic():
        row = _lock(obj)
        _publish_row(row, revision or row.latest_revision, author)
    _sync(obj, row)


def unpublish(*, obj: Publishable, author: Any) -> None:
    """Take ``obj`` off the site; its content and history stay."""
    _check(author, permissions.can_publish(author, obj), "unpublish this content")
    with transaction.atomic():
        row = _lock(obj)
        if row.live:
            row.live = False
            row.has_unpublished_changes = True
            row.expire_at = None
            row.save(update_fields=["live", "has_unpublished_changes", "expire_at"])
            _audit(ContentUnpublished, row, author, revision=row.live_revision)
    _sync(obj, row)


def schedule(
    *,
    obj: Publishable,
    author: Any,
    revision: int | None,
    go_live_at: datetime | None,
    expire_at: datetime | None = None,
) -> None:
    """Publish ``revision`` (the newest by default) at ``go_live_at``, and/or take the object
    down at ``expire_at``. ``go_live_at=None`` cancels a scheduled publication; both None
    cancel the whole schedule. Times must lie in the future, the end after the start.
    """
    _check(author, permissions.can_publish(author, obj), "schedule this content")
    now = timezone.now()
    if go_live_at is not None and go_live_at <= now:
        raise ValidationError("The publication time must be in the future.", code="past")
    if expire_at is not None and expire_at <= max(now, go_live_at or now):
        raise ValidationError("The end time must come after the publication time.", code="expire_before_live")
    with transaction.atomic():
        row = _lock(obj)
        if go_live_at is not None:
            number = revision or row.latest_revision
            _revision_content(row, number)  # it must exist
            row.go_live_at, row.scheduled_revision = go_live_at, number
        else:
            row.go_live_at = row.scheduled_revision = None
        row.expire_at = expire_at
        row.save(update_fields=["go_live_at", "scheduled_revision", "expire_at"])
        _audit(
            ContentScheduled,
            row,
            author,
            revision=row.scheduled_revision,
            go_live_at=go_live_at.isoformat() if go_live_at else None,
            expire_at=expire_at.isoformat() if expire_at else None,
        )
    _sync(obj, row)


def publishable_models() -> list[type[Publishable]]:
    return [model for model in apps.get_models() if issubclass(model, Publishable)]


def publish_due(*, now: datetime | None = None) -> dict[str, int]:
    """Apply every schedule that is due; safe to run often and from several processes at once.

    Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), and a publication
    clears its schedule in the same transaction, so nothing is published twice. When nothing is
    due it costs one EXISTS query per publishable model.
    """
    now = now or timezone.now()
    counts = {"published": 0, "expired": 0}
    for model in publishable_models():
        starting = Q(go_live_at__lte=now, scheduled_revision__isnull=False)
        ending = Q(expire_at__lte=now, live=True)
        if not model.objects.filter(starting | ending).exists():
            continue
        with transaction.atomic():
            for row in model.objects.select_for_update(skip_locked=True).filter(starting):
                if _publish_scheduled_row(row):
                    counts["published"] += 1
            for row in model.objects.select_for_update(skip_locked=True).filter(ending):
                row.live, row.expire_at, row.has_unpublished_changes = False, None, True
                row.save(update_fields=["live", "expire_at", "has_unpublished_changes"])
                _audit(ContentUnpublished, row, None, revision=row.live_revision)
                counts["expired"] += 1
    return counts


def _publish_scheduled_row(row: Publishable) -> bool:
    # One bad revision (say, its address was taken since) must not hold up the others: it is
    # logged and its schedule dropped, so editors see it is no longer scheduled.
    try:
        with transaction.atomic():
            _publish_row(row, row.scheduled_revision, None)
        return True
    except ValidationError as exc:
        logger.error("scheduled publication of %s %s failed: %s", row.content_label(), row.pk, "; ".join(exc.messages))
        type(row).objects.filter(pk=row.pk).update(go_live_at=None, scheduled_revision=None)
        return False


# --- Preview ----------------------------------------------------------------------------------


def preview_token(*, obj: Publishable, revision: int | None, user: Any) -> str:
    """A signed link token showing ``revision`` of ``obj`` to ``user`` alone, for a while.

    ``revision=None`` follows the newest draft (the full-site preview, as the editor keeps saving)."""
    _check(user, permissions.can_edit_draft(user, obj), "preview this content")
    return signing.dumps({"m": obj.content_label(), "o": str(obj.pk), "r": revision, "u": user.pk}, salt=_PREVIEW_SALT)


def preview_target(token: str) -> tuple[str, str] | None:
    """The (model label, object pk) a well-signed, unexpired preview token names, else None.

    It says nothing about who may use the token: ``preview_content`` decides that."""
    try:
        data = signing.loads(token, salt=_PREVIEW_SALT, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("m"), data.get("o")


def preview_content(*, token: str, obj: Publishable, user: Any) -> tuple[int, dict[str, Any]]:
    """The (revision, content) a preview token shows, if it is for this object and this user.

    Raises PermissionDenied for a forged, expired or someone else's token: visitors never see
    a draft through a guessed or shared link.
    """
    try:
        data = signing.loads(token, salt=_PREVIEW_SALT, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:
        raise PermissionDenied("This preview link is not valid or has expired.") from None
    if (
        data.get("m") != obj.content_label()
        or data.get("o") != str(obj.pk)
        or not getattr(user, "is_authenticated", False)
        or data.get("u") != user.pk
        or not permissions.can_edit_draft(user, obj)
    ):
        raise PermissionDenied("This preview link is not for you.")
    number = data["r"] if data.get("r") is not None else obj.latest_revision
    return number, _revision_content(obj, number)


# --- Themes -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ThemeActivated(_ContentRef, events.DomainEvent):
    name: ClassVar[str] = "core.theme_activated"


def theme_activate(*, theme: Any, author: Any) -> None:
    """Make a published theme the one that styles the site (the others step down)."""
    _check(author, permissions.can_publish(author, theme), "change the site's theme")
    model = type(theme)
    with transaction.atomic():
        row = _lock(theme)
        if not row.live:
            raise ValidationError("Publish the theme before making it the site's theme.", code="not_live")
        model.objects.select_for_update().filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
        row.is_active = True
        row.save(update_fields=["is_active"])
        _audit(ThemeActivated, row, author, revision=row.live_revision)
    _sync(theme, row)
