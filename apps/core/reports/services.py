"""Every write of reports: a reader's report, the platform's own (system) report, and staff's
decisions (an action of the kind, or dismissal) that close an object's open reports together.

Services take the acting user and plain values, ask apps/core/reports/permissions.py, and raise
PermissionDenied (not allowed) or ValidationError (bad input, a rate limit, or a state that no
longer allows it), changing nothing when they refuse. Repeating a report is idempotent: the
open report (one per reporter and object, a constraint) is returned as it stands.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.accounts import security
from apps.core.api.fields import ID_MAX
from apps.core.platform import events
from apps.core.reports import permissions
from apps.core.reports.models import Report
from apps.core.reports.registry import Reportable, reportable

NOTE_MAX = 1000


@dataclass(frozen=True, kw_only=True)
class ReportCreated(events.DomainEvent):
    name: ClassVar[str] = "reports.report_created"
    aggregate: ClassVar[str] = "reports.target:{kind}:{object_id}"
    report_id: int
    kind: str
    object_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReportsHandled(events.DomainEvent):
    name: ClassVar[str] = "reports.reports_handled"
    aggregate: ClassVar[str] = "reports.target:{kind}:{object_id}"
    kind: str
    object_id: int
    status: str
    action: str
    count: int


class ReportRateLimited(ValidationError):
    """Too many reports in a short time (the view answers 429)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        unit = "second" if retry_after == 1 else "seconds"
        super().__init__(
            f"You are reporting too fast. Please wait {retry_after} {unit} and try again.", code="rate_limited"
        )


def _rate() -> tuple[int, int]:
    return int(getattr(settings, "REPORT_RATE_LIMIT", 10)), int(getattr(settings, "REPORT_RATE_WINDOW", 600))


def _check_rate(reporter: Any) -> None:
    limit, window = _rate()
    if security.rate_limited(scope="report", key=str(reporter.pk), limit=limit, window=window):
        # rate_limited counts in fixed windows: the next one starts at the next multiple.
        raise ReportRateLimited(max(1, math.ceil(window - time.time() % window)))


def report_target(*, kind: str, object_id: int) -> tuple[Reportable, Any]:
    """The registration of ``kind`` and its object ``object_id``; ValidationError when either is
    unknown (so a bad address changes nothing and says why)."""
    entry = reportable(kind)
    if entry is None:
        raise ValidationError({"kind": "There is nothing of this kind to report."}, code="unknown_kind")
    target = entry.load(object_id) if 0 < object_id <= ID_MAX else None
    if target is None:
        raise ValidationError({"object_id": "There is no such thing to report."}, code="not_found")
    return entry, target


def _clean(reason: str, note: str) -> tuple[str, str]:
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason among those offered."}, code="invalid_reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"A note is at most {NOTE_MAX} characters ({len(note)} now)."})
    if "\x00" in note:
        raise ValidationError({"note": "The note holds a character that cannot be stored."})
    return reason, note


def _open_report(reporter_id: int | None, kind: str, object_id: int) -> Report | None:
    return Report.objects.filter(reporter_id=reporter_id, kind=kind, object_id=object_id, status="open").first()


def report_create(*, reporter: Any, kind: str, object_id: int, reason: str, note: str = "") -> tuple[Report, bool]:
    """``reporter`` reports the object ``object_id`` of ``kind`` to its moderators, for ``reason``
    (one of ``Report.Reason``) with an optional note. Returns (the report, whether it is new):
    reporting again while a report is open returns that one unchanged, and two racing reports
    make one row (the partial unique constraint decides). Refused with PermissionDenied when the
    kind's rule says so; ValidationError for bad input or too many reports (ReportRateLimited)."""
    entry, target = report_target(kind=kind, object_id=object_id)
    if not permissions.can_report(reporter, kind, target):
        raise PermissionDenied("You may not report this.")
    reason, note = _clean(reason, note)
    existing = _open_report(reporter.pk, kind, object_id)
    if existing is not None:
        return existing, False
    _check_rate(reporter)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter, kind=entry.kind, object_id=object_id, reason=reason, note=note
            )
            events.publish(
                ReportCreated(report_id=report.pk, kind=kind, object_id=object_id, reason=reason, actor_id=reporter.pk)
            )
    except IntegrityError:  # a racing request of the same reporter wrote it first
        existing = _open_report(reporter.pk, kind, object_id)
        if existing is None:
            raise
        return existing, False
    return report, True


def report_system(*, kind: str, object_id: int, note: str, reason: str = Report.Reason.OTHER) -> Report:
    """The platform asks staff to look at an object (a post the word filter held): one open
    system report per object, whoever calls it how often. Call it inside the writing transaction."""
    existing = _open_report(None, kind, object_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=None, kind=kind, object_id=object_id, reason=reason, note=note[:NOTE_MAX]
            )
    except IntegrityError:
        found = _open_report(None, kind, object_id)
        if found is None:
            raise
        return found


def _close(*, kind: str, object_id: int, moderator: Any, status: str, action: str, note: str) -> int:
    # Lock the open reports in id order (every closer does), so two staff deciding at once
    # close them once: the second finds none left and is told.
    ids = list(
        Report.objects.select_for_update()
        .filter(kind=kind, object_id=object_id, status=Report.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError("These reports were already handled.", code="handled")
    now = timezone.now()
    Report.objects.filter(pk__in=ids).update(
        status=status, handled_by=moderator, handled_at=now, action=action, decision_note=note
    )
    events.publish(
        ReportsHandled(
            kind=kind, object_id=object_id, status=status, action=action, count=len(ids), actor_id=moderator.pk
        )
    )
    return len(ids)


def _moderated(moderator: Any, kind: str) -> None:
    if not permissions.can_moderate_reports(moderator, kind):
        raise PermissionDenied("You do not handle these reports.")


def _decision_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        raise ValidationError({"note": f"A note is at most {NOTE_MAX} characters of plain text."})
    return note


@transaction.atomic
def report_act(*, moderator: Any, kind: str, object_id: int, action: str, note: str = "") -> int:
    """Staff take ``action`` (one the kind offers for the object now) on a reported object: the
    kind's service does it, and every open report of the object closes as ``actioned`` with who,
    when, which action and why. Returns how many reports closed. One transaction: when the
    action refuses (ValidationError), no report closes."""
    _moderated(moderator, kind)
    note = _decision_note(note)
    entry, target = report_target(kind=kind, object_id=object_id)
    chosen = entry.action(action)
    if chosen is None or not chosen.offered_for(target):
        raise ValidationError({"action": "This action is not available for this."}, code="invalid_action")
    closed = _close(
        kind=kind, object_id=object_id, moderator=moderator, status=Report.Status.ACTIONED, action=action, note=note
    )
    chosen.service(target=target, moderator=moderator, note=note)
    return closed


@transaction.atomic
def report_dismiss(*, moderator: Any, kind: str, object_id: int, note: str = "") -> int:
    """Staff find nothing wrong: every open report of the object closes as ``dismissed``."""
    _moderated(moderator, kind)
    note = _decision_note(note)
    if reportable(kind) is None:
        raise ValidationError({"kind": "There is nothing of this kind to report."}, code="unknown_kind")
    return _close(
        kind=kind, object_id=object_id, moderator=moderator, status=Report.Status.DISMISSED, action="", note=note
    )
