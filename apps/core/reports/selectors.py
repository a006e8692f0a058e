"""Reads of reports: the moderation queue's report rows (open reports grouped per object, oldest
first, on the kinds the viewer moderates), their count for the dashboard panel, and one group
after a decision.

A page costs the same few queries whatever it holds: the groups' count, the page of groups (one
aggregate query), the reasons and notes of the page's groups (one query), and one query per kind
on the page for its objects (the kind's ``load_many``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet

from apps.core.reports.models import Report
from apps.core.reports.registry import Reportable, ReportAction, moderated_report_kinds, reportable, reportables

QUEUE_PAGE_SIZE = 25
NOTES_SHOWN = 3  # per object: the oldest notes; the count says how many reports there are


@dataclass(eq=False)
class ReportNote:
    reporter: str  # a display name, or "The platform" for a system report
    reason: str
    note: str


@dataclass(eq=False)
class ReportGroup:
    """One reported object in the queue: how many open reports, since when, why, and what the
    moderator may do about it."""

    kind: str
    object_id: int
    count: int
    first_at: datetime
    entry: Reportable | None
    target: Any = None
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (label, how many), most first
    notes: list[ReportNote] = field(default_factory=list)
    system: bool = False  # the platform itself put it here (a held post)

    @property
    def key(self) -> str:
        return f"{self.kind.replace('.', '-')}-{self.object_id}"

    @property
    def label(self) -> str:
        return self.entry.label if self.entry is not None else self.kind

    @property
    def gone(self) -> bool:
        return self.target is None

    @property
    def url(self) -> str:
        if self.entry is None or self.target is None or self.entry.url_of is None:
            return ""
        return self.entry.url_of(self.target)

    @property
    def template(self) -> str:
        return self.entry.template if self.entry is not None and self.target is not None else ""

    @property
    def context(self) -> dict[str, Any]:
        return dict(self.entry.context_of(self.target)) if self.entry is not None and self.target is not None else {}

    @property
    def actions(self) -> list[ReportAction]:
        if self.entry is None or self.target is None:
            return []
        return [action for action in self.entry.actions if action.offered_for(self.target)]


def report_queue_kinds(*, viewer: Any, domain: str = "", kind: str = "") -> list[str]:
    """The kinds whose reports ``viewer`` sees in the queue, narrowed to ``kind`` or to ``domain``
    (the app label a kind starts with) when given; an unknown filter narrows to nothing."""
    kinds = moderated_report_kinds(viewer)
    if kind:
        kinds = [k for k in kinds if k == kind]
    if domain:
        kinds = [k for k in kinds if k.split(".", 1)[0] == domain]
    return kinds


def report_filters(*, viewer: Any) -> list[tuple[str, str]]:
    """The reportable kinds ``viewer`` moderates, as (kind, label) for the queue's filter."""
    mine = set(moderated_report_kinds(viewer))
    return [(entry.kind, entry.label) for entry in reportables() if entry.kind in mine]


def _open(kinds: list[str]) -> QuerySet[Report]:
    return Report.objects.filter(status=Report.Status.OPEN, kind__in=kinds)


def _groups(kinds: list[str]) -> QuerySet[Any]:
    return (
        _open(kinds)
        .values("kind", "object_id")
        .annotate(count=Count("pk"), first_at=Min("created_at"), system=Count("pk", filter=Q(reporter__isnull=True)))
        .order_by("first_at", "kind", "object_id")
    )


def _fill(groups: list[ReportGroup]) -> None:
    """The page's objects (one query per kind) and its reports' reasons and notes (one query)."""
    by_kind: dict[str, list[ReportGroup]] = {}
    for group in groups:
        by_kind.setdefault(group.kind, []).append(group)
    for kind, members in by_kind.items():
        entry = reportable(kind)
        found = entry.load_many([g.object_id for g in members]) if entry is not None else {}
        for group in members:
            group.target = found.get(group.object_id)
    if not groups:
        return
    wanted = Q()
    for group in groups:
        wanted |= Q(kind=group.kind, object_id=group.object_id)
    rows = (
        Report.objects.filter(wanted, status=Report.Status.OPEN)
        .select_related("reporter")
        .only("kind", "object_id", "reason", "note", "reporter__display_name", "reporter__email")
        .order_by("created_at", "pk")
    )
    index = {(g.kind, g.object_id): g for g in groups}
    reasons: dict[tuple[str, int], Counter[str]] = {key: Counter() for key in index}
    labels = dict(Report.Reason.choices)
    for report in rows:
        key = (report.kind, report.object_id)
        reasons[key][labels.get(report.reason, report.reason)] += 1
        group = index[key]
        if report.note and len(group.notes) < NOTES_SHOWN:
            who = (report.reporter.display_name or "A reader") if report.reporter is not None else "The platform"
            group.notes.append(ReportNote(who, labels.get(report.reason, report.reason), report.note))
    for key, counts in reasons.items():
        index[key].reasons = counts.most_common()


def _group(row: dict[str, Any]) -> ReportGroup:
    return ReportGroup(
        kind=row["kind"],
        object_id=row["object_id"],
        count=row["count"],
        first_at=row["first_at"],
        entry=reportable(row["kind"]),
        system=bool(row["system"]),
    )


def report_queue(*, viewer: Any, page: int | str = 1, domain: str = "", kind: str = "") -> Page:
    """Reported objects waiting for a decision, oldest first report first, as ReportGroups, on the
    kinds ``viewer`` moderates (narrowed to ``kind``). Flat in queries: see the module's note."""
    kinds = report_queue_kinds(viewer=viewer, domain=domain, kind=kind)
    result = Paginator(_groups(kinds), QUEUE_PAGE_SIZE).get_page(page)
    groups = [_group(row) for row in result.object_list]
    _fill(groups)
    result.object_list = groups
    return result


def report_waiting_count(*, viewer: Any, domain: str = "", kind: str = "") -> int:
    """How many reported objects wait for ``viewer``'s decision (the queue's count, the panel)."""
    kinds = report_queue_kinds(viewer=viewer, domain=domain, kind=kind)
    return _open(kinds).values("kind", "object_id").distinct().count() if kinds else 0


def report_group_get(*, viewer: Any, kind: str, object_id: int) -> ReportGroup | None:
    """One object's open reports as the queue shows them; None when none are open (handled)."""
    row = _groups(report_queue_kinds(viewer=viewer, kind=kind)).filter(object_id=object_id).first()
    if row is None:
        return None
    group = _group(row)
    _fill([group])
    return group


def reports_made_by(*, reporter: Any, kind: str, object_ids: list[int]) -> set[int]:
    """Which of ``object_ids`` (of ``kind``) ``reporter`` has an open report on (one query: a list
    page's "Reported" marks)."""
    if reporter is None or not getattr(reporter, "is_authenticated", False) or not object_ids:
        return set()
    return set(
        Report.objects.filter(
            reporter=reporter, kind=kind, object_id__in=object_ids, status=Report.Status.OPEN
        ).values_list("object_id", flat=True)
    )
