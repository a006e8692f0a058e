"""Who may report what, and who handles reports: one policy for pages, the API and services.

Reporting follows the kind's ``can_report(user, obj)`` (signed-in, active people only; a
commenting ban does not take away the right to report abuse); handling follows the kind's
``can_moderate(user)``, as comments' kinds decide their moderators.
"""

from __future__ import annotations

from typing import Any

from apps.core.reports.registry import moderated_report_kinds, reportable


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_report(user: Any, kind: str, target: Any) -> bool:
    """Whether ``user`` may report ``target`` (an object of ``kind``)."""
    entry = reportable(kind)
    if entry is None or target is None or not _active(user):
        return False
    return bool(entry.can_report(user, target))


def can_moderate_reports(user: Any, kind: str) -> bool:
    """Whether ``user`` sees ``kind``'s reports in the queue and acts on them."""
    entry = reportable(kind)
    return bool(entry is not None and _active(user) and entry.can_moderate(user))


def can_handle_any_reports(user: Any) -> bool:
    """Whether ``user`` moderates the reports of any kind (they open the moderation queue)."""
    return bool(moderated_report_kinds(user))


def can_open_moderation_queue(user: Any) -> bool:
    """Whether ``user`` opens the platform's one moderation queue: they moderate some kind's
    comments or handle some kind's reports (the header link and the dashboards' tool ask this)."""
    from apps.core.comments.permissions import can_moderate_comments

    return can_moderate_comments(user) or can_handle_any_reports(user)
