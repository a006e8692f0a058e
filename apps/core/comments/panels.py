"""The moderation queue on dashboards: a panel with the number of comments and reported objects
waiting, linking to the queue. A domain adds one to its own dashboard, narrowed to its domain,
with one ``register_panel(moderation_panel(...))``; every moderator also has the header's link."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from apps.core.accounts.dashboards import Panel
from apps.core.comments import selectors
from apps.core.reports import permissions as report_permissions
from apps.core.reports import selectors as report_selectors


def moderation_panel(*, key: str, dashboards: frozenset[str], domain: str = "", order: int = 14) -> Panel:
    """A "Comments to moderate" panel on ``dashboards``, counting what waits for the viewer
    (comments, and reported objects: narrowed to ``domain`` when given), shown to those who
    moderate any kind's comments or reports."""

    def context(user: Any) -> dict[str, Any]:
        query = f"?{urlencode({'domain': domain})}" if domain else ""
        comments = selectors.moderation_waiting_count(viewer=user, domain=domain)
        reports = report_selectors.report_waiting_count(viewer=user, domain=domain)
        queue_url = reverse("comments:moderation") + query
        tiles = []
        if comments or not reports:
            tiles.append({"label": "Comments to moderate", "count": comments, "url": queue_url})
        if reports:
            tiles.append({"label": "Reports to handle", "count": reports, "url": queue_url})
        return {"waiting": comments + reports, "queue_url": queue_url, "tiles": tiles}

    return Panel(
        key,
        "Comments to moderate",
        "comments/_moderation_panel.html",
        dashboards,
        context,
        order=order,
        show=report_permissions.can_open_moderation_queue,
    )
